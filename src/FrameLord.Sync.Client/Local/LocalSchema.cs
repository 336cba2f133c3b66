namespace FrameLord.Sync.Client.Local;

/// <summary>
/// The device's SQLite schema. Times are UTC ticks; entity and outbox bodies are JSON objects.
/// <c>sync_meta</c> holds the device id, the account, the pull cursor, the last successful sync and the
/// schema version. <see cref="Create"/> makes a new database at <see cref="Version"/>; an older database
/// is brought there by <see cref="Migrations"/>, in order, in the transaction that opens it.
/// </summary>
internal static class LocalSchema
{
    /// <summary>
    /// 1: entities, outbox, conflicts, rejected changes. 2: the outbox's <c>held</c> column is gone.
    /// 3: note bodies (<c>documents</c>, <c>document_updates</c>), new tables that <see cref="Create"/> makes.
    /// </summary>
    public const int Version = 3;

    /// <summary>The steps from one version to the next: (the version it makes, its SQL).</summary>
    public static readonly IReadOnlyList<(int To, string Sql)> Migrations =
    [
        // A delete that absorbed field edits used to keep them aside in held and push a bare delete, so the
        // edits never reached the server. Such an entry becomes what the outbox now makes: an update of the
        // fields with is_archived true. A sent one is resent under its change id: a server that already had
        // it answers from its record, one that never got it now gets the edits.
        (2, """
            UPDATE outbox SET operation = 'update', data = json_set(held, '$.is_archived', json('true')), held = NULL
            WHERE operation = 'delete' AND held IS NOT NULL AND held <> '{}';
            ALTER TABLE outbox DROP COLUMN held;
            """),
    ];

    public const string Create = """
        CREATE TABLE IF NOT EXISTS sync_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- One row per entity: the local view the app reads, and what the device knows of the server.
        CREATE TABLE IF NOT EXISTS entities (
            entity_type TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            data TEXT NOT NULL,                       -- the local view, full entity JSON
            sync_version INTEGER NOT NULL,            -- the client's version: +1 per local edit, never below server_version
            server_version INTEGER NOT NULL DEFAULT 0,-- the last server version known (0: the server never confirmed it)
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            is_archived INTEGER NOT NULL DEFAULT 0,
            is_contact_zero INTEGER NOT NULL DEFAULT 0,
            last_synced_at INTEGER NULL,
            last_synced_device_id TEXT NULL,
            shadow TEXT NULL,                         -- the last known server state (full entity JSON)
            PRIMARY KEY (entity_type, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS entities_by_update ON entities (entity_type, is_archived, updated_at);

        -- Local writes not yet acknowledged by the server, coalesced per entity (DESIGN 2).
        CREATE TABLE IF NOT EXISTS outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            change_id TEXT NOT NULL UNIQUE,
            entity_type TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            operation TEXT NOT NULL,                  -- create | update | delete
            data TEXT NULL,                           -- create: full entity; update: the patch (is_archived too when it archives); delete: null
            client_timestamp INTEGER NOT NULL,
            sync_version INTEGER NOT NULL,
            base_version INTEGER NOT NULL,
            sent INTEGER NOT NULL DEFAULT 0           -- 1 once taken into a batch: never changed again, resent as is
        );
        CREATE INDEX IF NOT EXISTS outbox_by_entity ON outbox (entity_type, entity_id, seq);

        CREATE TABLE IF NOT EXISTS conflicts (
            conflict_id TEXT PRIMARY KEY,
            change_id TEXT NOT NULL,
            entity_type TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            fields TEXT NOT NULL,                     -- JSON array of the contested field names
            resolution TEXT NOT NULL,
            needs_review INTEGER NOT NULL,
            status TEXT NOT NULL,                     -- open | auto_resolved | resolved
            winner TEXT NOT NULL,
            local TEXT NOT NULL,
            remote TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Note bodies (Yjs documents, DESIGN 6): per note what the device knows of the server's copy, and
        -- which of its own updates the server has. A row appears with the first local edit or sync.
        CREATE TABLE IF NOT EXISTS documents (
            note_id TEXT PRIMARY KEY,
            server_state_vector BLOB NULL,            -- the server's state vector after the last sync (NULL: never synced)
            sync_version INTEGER NOT NULL DEFAULT 0,  -- the server's sync_version after the last sync
            local_seq INTEGER NOT NULL DEFAULT 0,     -- seq of the newest update made on this device
            acked_seq INTEGER NOT NULL DEFAULT 0,     -- this device's updates up to this seq are on the server
            log_count INTEGER NOT NULL DEFAULT 0,     -- rows in document_updates (compaction threshold)
            log_bytes INTEGER NOT NULL DEFAULT 0,
            last_synced_at INTEGER NULL,
            failed_code TEXT NULL,                    -- the server refused the note's update; it waits for a new edit
            failed_message TEXT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS documents_unsynced ON documents (note_id) WHERE local_seq > acked_seq;

        -- Append-only log of every update a note's document took, local or received, each committed on its
        -- own: the document is the merge of its rows. Compaction replaces a prefix by one state update.
        CREATE TABLE IF NOT EXISTS document_updates (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            note_id TEXT NOT NULL,
            kind TEXT NOT NULL,                       -- local | server | state (a compacted prefix)
            data BLOB NOT NULL                        -- a Yjs v1 update
        );
        CREATE INDEX IF NOT EXISTS document_updates_by_note ON document_updates (note_id, seq);

        -- Changes the server refused (per-change failures): out of the outbox, kept for the app to show.
        CREATE TABLE IF NOT EXISTS rejected_changes (
            change_id TEXT PRIMARY KEY,
            entity_type TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            operation TEXT NOT NULL,
            data TEXT NULL,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            rejected_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;
}
