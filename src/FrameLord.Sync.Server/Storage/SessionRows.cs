using System.Data.Common;

namespace FrameLord.Sync.Server.Storage;

/// <summary>Column lists and row readers of the account lifecycle tables, shared by both stores.</summary>
internal static class SessionRows
{
    public const string DeviceColumns = "user_id, device_id, device_name, session_id, created_at, last_seen_at";

    /// <summary>
    /// Every table that holds rows of a user, children before the user row. Deleting an account deletes from
    /// each; the storage tests check that no table with a user_id column is missing here.
    /// </summary>
    public static readonly string[] UserTables =
    [
        "refresh_tokens", "devices", "document_updates", "document_snapshots", "documents",
        "conflicts", "applied_changes", "entities", "users",
    ];

    public static DeviceSession Device(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        Ticks.ToTime(r.GetInt64(4)),
        Ticks.ToTime(r.GetInt64(5)));
}
