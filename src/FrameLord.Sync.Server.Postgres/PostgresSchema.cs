namespace FrameLord.Sync.Server.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema as ordered migrations (version i + 1 after migration i). Every table is
/// keyed by user_id first, the column a distributed PostgreSQL would shard on. Append, never edit.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Key of the advisory lock that serializes migrations of several server processes.</summary>
    public const long MigrationLockKey = 0x46_4C_53_59_4E_43; // "FLSYNC"

    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE users (
            user_id         text   NOT NULL PRIMARY KEY,
            email           text   NOT NULL UNIQUE,
            password_hash   text   NOT NULL,
            display_name    text   NOT NULL,
            contact_zero_id text   NOT NULL UNIQUE,
            change_seq      bigint NOT NULL DEFAULT 0,
            purged_seq      bigint NOT NULL DEFAULT 0,
            created_at      bigint NOT NULL
        );

        CREATE TABLE entities (
            user_id            text    NOT NULL,
            entity_type        text    NOT NULL,
            entity_id          text    NOT NULL,
            seq                bigint  NOT NULL,
            sync_version       bigint  NOT NULL,
            is_archived        boolean NOT NULL,
            created_at         bigint  NOT NULL,
            updated_at         bigint  NOT NULL,
            server_updated_at  bigint  NOT NULL,
            modified_by_device text    NOT NULL,
            data_json          text    NOT NULL,
            stamps_json        text    NOT NULL,
            PRIMARY KEY (user_id, entity_type, entity_id)
        );
        CREATE UNIQUE INDEX ix_entities_user_seq ON entities (user_id, seq);
        CREATE INDEX ix_entities_tombstones ON entities (server_updated_at) WHERE is_archived;

        CREATE TABLE applied_changes (
            user_id      text   NOT NULL,
            device_id    text   NOT NULL,
            change_id    text   NOT NULL,
            outcome_json text   NOT NULL,
            created_at   bigint NOT NULL,
            PRIMARY KEY (user_id, device_id, change_id)
        );
        CREATE INDEX ix_applied_changes_created ON applied_changes (created_at);

        CREATE TABLE conflicts (
            user_id       text    NOT NULL,
            conflict_id   text    NOT NULL,
            device_id     text    NOT NULL,
            change_id     text    NOT NULL,
            entity_type   text    NOT NULL,
            entity_id     text    NOT NULL,
            needs_review  boolean NOT NULL,
            status        text    NOT NULL,
            created_at    bigint  NOT NULL,
            resolved_at   bigint  NULL,
            conflict_json text    NOT NULL,
            PRIMARY KEY (user_id, conflict_id)
        );
        CREATE INDEX ix_conflicts_user_status ON conflicts (user_id, status, created_at);
        """,
        """
        CREATE TABLE documents (
            user_id      text   NOT NULL,
            note_id      text   NOT NULL,
            sync_version bigint NOT NULL DEFAULT 0,
            state_vector bytea  NOT NULL,
            snapshot_sv  bytea  NOT NULL,
            snapshot_ds  bytea  NOT NULL,
            snapshot_seq bigint NOT NULL DEFAULT 0,
            next_seq     bigint NOT NULL DEFAULT 1,
            log_count    int    NOT NULL DEFAULT 0,
            log_bytes    bigint NOT NULL DEFAULT 0,
            updated_at   bigint NOT NULL,
            PRIMARY KEY (user_id, note_id)
        );

        CREATE TABLE document_snapshots (
            user_id  text  NOT NULL,
            note_id  text  NOT NULL,
            snapshot bytea NOT NULL,
            PRIMARY KEY (user_id, note_id)
        );

        CREATE TABLE document_updates (
            user_id      text   NOT NULL,
            note_id      text   NOT NULL,
            seq          bigint NOT NULL,
            update_bytes bytea  NOT NULL,
            PRIMARY KEY (user_id, note_id, seq)
        );
        """,
        """
        -- Every range the document has deleted (snapshot and log), as a delete-only update. Existing rows
        -- start from the snapshot's; a sync that is not covered is stored and merged in, so it catches up.
        ALTER TABLE documents ADD COLUMN delete_set bytea NOT NULL DEFAULT '\x0000'::bytea;
        UPDATE documents SET delete_set = snapshot_ds;
        """,
        """
        -- The conflicts listing pages by (created_at, conflict_id) in byte order, whatever the status filter.
        CREATE INDEX ix_conflicts_user_created ON conflicts (user_id, created_at, conflict_id COLLATE "C");
        """,
        """
        -- Device sessions (DESIGN 3.1): one row per signed-in device; access tokens carry its session id.
        CREATE TABLE devices (
            user_id      text   NOT NULL,
            device_id    text   NOT NULL,
            device_name  text   NOT NULL,
            session_id   text   NOT NULL,
            created_at   bigint NOT NULL,
            last_seen_at bigint NOT NULL,
            PRIMARY KEY (user_id, device_id)
        );

        -- Refresh tokens by the SHA-256 of the token: a token is presented without its user, so this one
        -- table is keyed by the hash, not user_id first. Spent ones stay until they expire, so a second
        -- use is recognized.
        CREATE TABLE refresh_tokens (
            token_hash bytea  NOT NULL PRIMARY KEY,
            user_id    text   NOT NULL,
            device_id  text   NOT NULL,
            session_id text   NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            spent_at   bigint NULL
        );
        CREATE INDEX ix_refresh_tokens_device ON refresh_tokens (user_id, device_id);
        CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);
        """,
        """
        -- Failed logins per email (DESIGN 8), shared by every process on the database and kept across restarts.
        -- Keyed by a hash of the normalized email: nothing is kept of addresses nobody signed up with.
        CREATE TABLE failed_logins (
            email_key    text    NOT NULL PRIMARY KEY,
            window_start bigint  NOT NULL,
            failures     integer NOT NULL
        );
        CREATE INDEX ix_failed_logins_window ON failed_logins (window_start);
        """,
    ];
}
