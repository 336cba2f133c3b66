namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>
/// The SQLite schema as an ordered list of migrations; index i + 1 is the schema version after
/// migration i. Append, never edit: a database records the version it has reached.
/// </summary>
internal static class SqliteSchema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE users (
            user_id         TEXT    NOT NULL PRIMARY KEY,
            email           TEXT    NOT NULL UNIQUE,
            password_hash   TEXT    NOT NULL,
            display_name    TEXT    NOT NULL,
            contact_zero_id TEXT    NOT NULL UNIQUE,
            change_seq      INTEGER NOT NULL DEFAULT 0,
            purged_seq      INTEGER NOT NULL DEFAULT 0,
            created_at      INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE entities (
            user_id            TEXT    NOT NULL,
            entity_type        TEXT    NOT NULL,
            entity_id          TEXT    NOT NULL,
            seq                INTEGER NOT NULL,
            sync_version       INTEGER NOT NULL,
            is_archived        INTEGER NOT NULL,
            created_at         INTEGER NOT NULL,
            updated_at         INTEGER NOT NULL,
            server_updated_at  INTEGER NOT NULL,
            modified_by_device TEXT    NOT NULL,
            data_json          TEXT    NOT NULL,
            stamps_json        TEXT    NOT NULL,
            PRIMARY KEY (user_id, entity_type, entity_id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX ix_entities_user_seq ON entities (user_id, seq);
        CREATE INDEX ix_entities_tombstones ON entities (server_updated_at) WHERE is_archived = 1;

        CREATE TABLE applied_changes (
            user_id      TEXT    NOT NULL,
            device_id    TEXT    NOT NULL,
            change_id    TEXT    NOT NULL,
            outcome_json TEXT    NOT NULL,
            created_at   INTEGER NOT NULL,
            PRIMARY KEY (user_id, device_id, change_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_applied_changes_created ON applied_changes (created_at);

        CREATE TABLE conflicts (
            user_id       TEXT    NOT NULL,
            conflict_id   TEXT    NOT NULL,
            device_id     TEXT    NOT NULL,
            change_id     TEXT    NOT NULL,
            entity_type   TEXT    NOT NULL,
            entity_id     TEXT    NOT NULL,
            needs_review  INTEGER NOT NULL,
            status        TEXT    NOT NULL,
            created_at    INTEGER NOT NULL,
            resolved_at   INTEGER NULL,
            conflict_json TEXT    NOT NULL,
            PRIMARY KEY (user_id, conflict_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_conflicts_user_status ON conflicts (user_id, status, created_at);
        """,
        """
        CREATE TABLE documents (
            user_id      TEXT    NOT NULL,
            note_id      TEXT    NOT NULL,
            sync_version INTEGER NOT NULL DEFAULT 0,
            state_vector BLOB    NOT NULL,
            snapshot_sv  BLOB    NOT NULL,
            snapshot_ds  BLOB    NOT NULL,
            snapshot_seq INTEGER NOT NULL DEFAULT 0,
            next_seq     INTEGER NOT NULL DEFAULT 1,
            log_count    INTEGER NOT NULL DEFAULT 0,
            log_bytes    INTEGER NOT NULL DEFAULT 0,
            updated_at   INTEGER NOT NULL,
            PRIMARY KEY (user_id, note_id)
        ) WITHOUT ROWID;

        CREATE TABLE document_snapshots (
            user_id  TEXT NOT NULL,
            note_id  TEXT NOT NULL,
            snapshot BLOB NOT NULL,
            PRIMARY KEY (user_id, note_id)
        ) WITHOUT ROWID;

        CREATE TABLE document_updates (
            user_id      TEXT    NOT NULL,
            note_id      TEXT    NOT NULL,
            seq          INTEGER NOT NULL,
            update_bytes BLOB    NOT NULL,
            PRIMARY KEY (user_id, note_id, seq)
        ) WITHOUT ROWID;
        """,
        """
        -- Every range the document has deleted (snapshot and log), as a delete-only update. Existing rows
        -- start from the snapshot's; a sync that is not covered is stored and merged in, so it catches up.
        ALTER TABLE documents ADD COLUMN delete_set BLOB NOT NULL DEFAULT x'0000';
        UPDATE documents SET delete_set = snapshot_ds;
        """,
        """
        -- The conflicts listing pages by (created_at, conflict_id) in byte order, whatever the status filter.
        CREATE INDEX ix_conflicts_user_created ON conflicts (user_id, created_at, conflict_id);
        """,
        """
        -- Device sessions (DESIGN 3.1): one row per signed-in device; access tokens carry its session id.
        CREATE TABLE devices (
            user_id      TEXT    NOT NULL,
            device_id    TEXT    NOT NULL,
            device_name  TEXT    NOT NULL,
            session_id   TEXT    NOT NULL,
            created_at   INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, device_id)
        ) WITHOUT ROWID;

        -- Refresh tokens by the SHA-256 of the token (a token is presented without its user); spent ones stay
        -- until they expire, so a second use is recognized.
        CREATE TABLE refresh_tokens (
            token_hash BLOB    NOT NULL PRIMARY KEY,
            user_id    TEXT    NOT NULL,
            device_id  TEXT    NOT NULL,
            session_id TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            spent_at   INTEGER NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_refresh_tokens_device ON refresh_tokens (user_id, device_id);
        CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);
        """,
        """
        -- Failed logins per email (DESIGN 8), shared by every process on the database and kept across restarts.
        -- Keyed by a hash of the normalized email: nothing is kept of addresses nobody signed up with.
        CREATE TABLE failed_logins (
            email_key    TEXT    NOT NULL PRIMARY KEY,
            window_start INTEGER NOT NULL,
            failures     INTEGER NOT NULL
        );
        CREATE INDEX ix_failed_logins_window ON failed_logins (window_start);
        """,
    ];
}
