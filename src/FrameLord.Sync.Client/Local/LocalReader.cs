using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Protocol;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Client.Local;

/// <summary>
/// Every read of the local store, beside <see cref="LocalWriter"/>: each runs on a pooled connection of its
/// own, sees the last committed state and never waits for the writer. No connection leaves this folder.
/// </summary>
internal sealed class LocalReader(LocalDatabase db)
{
    internal const string ConflictColumns =
        "conflict_id, change_id, entity_type, entity_id, fields, resolution, needs_review, status, winner, local, remote, created_at";

    public T? Entity<T>(string entityType, string entityId, JsonTypeInfo<T> type) => db.Read(c =>
    {
        using var command = Command(c, "SELECT data FROM entities WHERE entity_type = $t AND entity_id = $i;", ("$t", entityType), ("$i", entityId));
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize(json, type) : default;
    });

    /// <summary>The entity's JSON as stored, or null.</summary>
    public string? EntityJson(string entityType, string entityId) => db.Read(c =>
    {
        using var command = Command(c, "SELECT data FROM entities WHERE entity_type = $t AND entity_id = $i;", ("$t", entityType), ("$i", entityId));
        return command.ExecuteScalar() as string;
    });

    public List<T> Entities<T>(string entityType, bool includeArchived, JsonTypeInfo<T> type) => db.Read(c =>
    {
        using var command = Command(c, includeArchived
            ? "SELECT data FROM entities WHERE entity_type = $t ORDER BY created_at, entity_id;"
            : "SELECT data FROM entities WHERE entity_type = $t AND is_archived = 0 ORDER BY created_at, entity_id;", ("$t", entityType));
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(JsonSerializer.Deserialize(reader.GetString(0), type)!);
        }

        return list;
    });

    /// <summary>Every entity's (type, id, data) in a stable order, Contact Zero aside.</summary>
    public List<(string Type, string Id, string Json)> AllEntities() => db.Read(c =>
    {
        using var command = Command(c, "SELECT entity_type, entity_id, data FROM entities WHERE is_contact_zero = 0 ORDER BY entity_type, entity_id;");
        using var reader = command.ExecuteReader();
        var list = new List<(string, string, string)>();
        while (reader.Read())
        {
            list.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return list;
    });

    public int CountEntities(string entityType, bool includeArchived) => db.Read(c =>
    {
        using var command = Command(c, includeArchived
            ? "SELECT COUNT(*) FROM entities WHERE entity_type = $t;"
            : "SELECT COUNT(*) FROM entities WHERE entity_type = $t AND is_archived = 0;", ("$t", entityType));
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    public EntitySyncInfo? SyncInfo(string entityType, string entityId) => db.Read(c =>
    {
        using var command = Command(c, $"""
            SELECT {Rows.EntityColumns}, (SELECT COUNT(*) FROM outbox o WHERE o.entity_type = e.entity_type AND o.entity_id = e.entity_id)
            FROM entities e WHERE entity_type = $t AND entity_id = $i;
            """, ("$t", entityType), ("$i", entityId));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var e = Rows.Entity(reader);
        return new EntitySyncInfo(e.SyncVersion, e.ServerVersion, new DateTimeOffset(e.UpdatedAt, TimeSpan.Zero),
            e.LastSyncedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null, e.LastSyncedDeviceId, reader.GetInt32(12));
    });

    /// <summary>Changes the server refused, newest first.</summary>
    public List<RejectedChange> RejectedChanges() => db.Read(c =>
    {
        using var command = Command(c, "SELECT change_id, entity_type, entity_id, operation, data, code, message, rejected_at FROM rejected_changes ORDER BY rejected_at DESC, change_id;");
        using var reader = command.ExecuteReader();
        var list = new List<RejectedChange>();
        while (reader.Read())
        {
            JsonElement? data = reader.IsDBNull(4) ? null : Element(reader.GetString(4));
            list.Add(new RejectedChange(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), data,
                reader.GetString(5), reader.GetString(6), new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero)));
        }

        return list;
    });

    /// <summary>Stored conflicts, oldest first: the open ones, or all.</summary>
    public List<SyncConflict> Conflicts(bool includeClosed) => db.Read(c =>
    {
        using var command = Command(c, includeClosed
            ? $"SELECT {ConflictColumns} FROM conflicts ORDER BY created_at, conflict_id;"
            : $"SELECT {ConflictColumns} FROM conflicts WHERE status = '{ConflictStatuses.Open}' ORDER BY created_at, conflict_id;");
        using var reader = command.ExecuteReader();
        var list = new List<SyncConflict>();
        while (reader.Read())
        {
            list.Add(new SyncConflict(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                JsonSerializer.Deserialize(reader.GetString(4), ClientJsonContext.Default.StringArray) ?? [],
                reader.GetString(5), reader.GetInt64(6) != 0, reader.GetString(7), Element(reader.GetString(8)),
                Element(reader.GetString(9)), Element(reader.GetString(10)), new DateTimeOffset(reader.GetInt64(11), TimeSpan.Zero)));
        }

        return list;
    });

    public int OpenConflictCount() => db.Read(c =>
    {
        using var command = Command(c, $"SELECT COUNT(*) FROM conflicts WHERE status = '{ConflictStatuses.Open}';");
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    public string? Meta(string key) => db.Read(c =>
    {
        using var command = Command(c, "SELECT value FROM sync_meta WHERE key = $k;", ("$k", key));
        return command.ExecuteScalar() as string;
    });

    public LocalDocument? Document(string noteId) => db.Read(c => DocumentReads.Get(c, noteId));

    public (List<byte[]> Updates, long LastSeq) DocumentLog(string noteId) => db.Read(c => DocumentReads.Log(c, noteId));

    public long DocumentLastSeq(string noteId) => db.Read(c => DocumentReads.LastSeq(c, noteId));

    public List<string> UnsyncedDocuments() => db.Read(DocumentReads.Unsynced);

    private static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
