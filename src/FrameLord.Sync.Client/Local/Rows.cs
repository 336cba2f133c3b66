using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Client.Local;

/// <summary>Maps rows to <see cref="LocalEntity"/> and <see cref="OutboxEntry"/>; column lists match the readers.</summary>
internal static class Rows
{
    public const string EntityColumns =
        "entity_type, entity_id, data, sync_version, server_version, created_at, updated_at, is_archived, is_contact_zero, last_synced_at, last_synced_device_id, shadow";

    public const string OutboxColumns =
        "seq, change_id, entity_type, entity_id, operation, data, client_timestamp, sync_version, base_version, sent";

    public static LocalEntity Entity(SqliteDataReader r) => new()
    {
        EntityType = r.GetString(0),
        EntityId = r.GetString(1),
        DataJson = r.GetString(2),
        SyncVersion = r.GetInt64(3),
        ServerVersion = r.GetInt64(4),
        CreatedAt = r.GetInt64(5),
        UpdatedAt = r.GetInt64(6),
        IsArchived = r.GetInt64(7) != 0,
        IsContactZero = r.GetInt64(8) != 0,
        LastSyncedAt = r.IsDBNull(9) ? null : r.GetInt64(9),
        LastSyncedDeviceId = r.IsDBNull(10) ? null : r.GetString(10),
        ShadowJson = r.IsDBNull(11) ? null : r.GetString(11),
    };

    public static OutboxEntry Outbox(SqliteDataReader r) => new()
    {
        Seq = r.GetInt64(0),
        ChangeId = r.GetString(1),
        EntityType = r.GetString(2),
        EntityId = r.GetString(3),
        Operation = r.GetString(4),
        DataJson = r.IsDBNull(5) ? null : r.GetString(5),
        ClientTimestamp = r.GetInt64(6),
        SyncVersion = r.GetInt64(7),
        BaseVersion = r.GetInt64(8),
        Sent = r.GetInt64(9) != 0,
    };

    public static JsonObject ParseObject(string json) =>
        JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("A stored JSON value is not an object.");

    public static object Nullable(JsonObject? value) => value is null ? DBNull.Value : value.ToJsonString();

    public static object Nullable(string? value) => value is null ? DBNull.Value : value;

    public static object Nullable(long? value) => value is null ? DBNull.Value : value.Value;
}
