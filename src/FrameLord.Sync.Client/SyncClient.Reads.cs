using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    internal T? ReadEntity<T>(string entityType, string entityId, JsonTypeInfo<T> type) => _db.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT data FROM entities WHERE entity_type = $t AND entity_id = $i;";
        command.Parameters.AddWithValue("$t", entityType);
        command.Parameters.AddWithValue("$i", entityId);
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize(json, type) : default;
    });

    internal List<T> ReadEntities<T>(string entityType, bool includeArchived, JsonTypeInfo<T> type) => _db.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = includeArchived
            ? "SELECT data FROM entities WHERE entity_type = $t ORDER BY created_at, entity_id;"
            : "SELECT data FROM entities WHERE entity_type = $t AND is_archived = 0 ORDER BY created_at, entity_id;";
        command.Parameters.AddWithValue("$t", entityType);
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(JsonSerializer.Deserialize(reader.GetString(0), type)!);
        }

        return list;
    });

    internal int CountEntities(string entityType, bool includeArchived) => _db.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = includeArchived
            ? "SELECT COUNT(*) FROM entities WHERE entity_type = $t;"
            : "SELECT COUNT(*) FROM entities WHERE entity_type = $t AND is_archived = 0;";
        command.Parameters.AddWithValue("$t", entityType);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    internal EntitySyncInfo? ReadSyncInfo(string entityType, string entityId) => _db.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"""
            SELECT {Rows.EntityColumns}, (SELECT COUNT(*) FROM outbox o WHERE o.entity_type = e.entity_type AND o.entity_id = e.entity_id)
            FROM entities e WHERE entity_type = $t AND entity_id = $i;
            """;
        command.Parameters.AddWithValue("$t", entityType);
        command.Parameters.AddWithValue("$i", entityId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var e = Rows.Entity(reader);
        return new EntitySyncInfo(e.SyncVersion, e.ServerVersion, new DateTimeOffset(e.UpdatedAt, TimeSpan.Zero),
            e.LastSyncedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null, e.LastSyncedDeviceId, reader.GetInt32(12));
    });

    /// <summary>Changes the server refused, newest first (they are no longer in the outbox).</summary>
    public Task<IReadOnlyList<RejectedChange>> GetRejectedChangesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RejectedChange>>(_db.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT change_id, entity_type, entity_id, operation, data, code, message, rejected_at FROM rejected_changes ORDER BY rejected_at DESC, change_id;";
            using var reader = command.ExecuteReader();
            var list = new List<RejectedChange>();
            while (reader.Read())
            {
                JsonElement? data = reader.IsDBNull(4) ? null : JsonDocument.Parse(reader.GetString(4)).RootElement.Clone();
                list.Add(new RejectedChange(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), data,
                    reader.GetString(5), reader.GetString(6), new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero)));
            }

            return list;
        }));
}
