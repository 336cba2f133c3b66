using System.Data.Common;

namespace FrameLord.Sync.Server.Storage;

/// <summary>Maps result rows to records; column order is fixed by the SELECT lists below.</summary>
internal static class RowReaders
{
    public const string EntityColumns =
        "entity_type, entity_id, seq, sync_version, is_archived, created_at, updated_at, server_updated_at, modified_by_device, data_json, stamps_json";

    public const string ConflictColumns =
        "conflict_id, device_id, change_id, entity_type, entity_id, needs_review, status, created_at, resolved_at, conflict_json";

    public const string UserColumns =
        "user_id, email, password_hash, display_name, contact_zero_id, created_at";

    public const string DocumentHeadColumns =
        "sync_version, state_vector, snapshot_sv, snapshot_ds, snapshot_seq, log_count, log_bytes, delete_set";

    /// <summary>How many columns <see cref="DocumentHeadColumns"/> lists (a column selected after them starts here).</summary>
    public const int DocumentHeadColumnCount = 8;

    public static DocumentHead DocumentHead(DbDataReader r) => new(
        r.GetInt64(0),
        (byte[])r.GetValue(1),
        (byte[])r.GetValue(2),
        (byte[])r.GetValue(3),
        r.GetInt64(4),
        r.GetInt32(5),
        r.GetInt64(6),
        (byte[])r.GetValue(7));

    /// <summary>The empty state vector and the empty update, as a new document's starting values.</summary>
    public static readonly byte[] EmptyStateVector = [0];

    public static readonly byte[] EmptyUpdate = [0, 0];

    public static EntityRow Entity(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetInt64(3),
        r.GetBoolean(4),
        Ticks.ToTime(r.GetInt64(5)),
        Ticks.ToTime(r.GetInt64(6)),
        Ticks.ToTime(r.GetInt64(7)),
        r.GetString(8),
        r.GetString(9),
        r.GetString(10));

    public static ConflictRow Conflict(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        r.GetBoolean(5),
        r.GetString(6),
        Ticks.ToTime(r.GetInt64(7)),
        r.IsDBNull(8) ? null : Ticks.ToTime(r.GetInt64(8)),
        r.GetString(9));

    public static UserRecord User(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        Ticks.ToTime(r.GetInt64(5)));
}
