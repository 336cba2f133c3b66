using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Tests;

/// <summary>Terse builders for pushed changes.</summary>
internal static class Changes
{
    private static int s_next;

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    public static DateTimeOffset At(string time) => DateTimeOffset.Parse($"2025-12-05T{time}:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public static Change Create(string id, string data, long version = 1, string time = "10:00", string type = EntityTypes.Contact, string? changeId = null) =>
        Make(Operations.Create, type, id, Json(data), version, 0, time, changeId);

    public static Change Update(string id, string data, long version, long baseVersion, string time, string type = EntityTypes.Contact, string? changeId = null) =>
        Make(Operations.Update, type, id, Json(data), version, baseVersion, time, changeId);

    public static Change Delete(string id, long version, long baseVersion, string time, string type = EntityTypes.Contact, string? changeId = null) =>
        Make(Operations.Delete, type, id, null, version, baseVersion, time, changeId);

    public static Change Make(string operation, string type, string id, JsonElement? data, long version, long baseVersion, string time, string? changeId = null) => new()
    {
        ChangeId = changeId ?? $"chg_{Interlocked.Increment(ref s_next)}_{Guid.NewGuid():N}",
        EntityType = type,
        EntityId = id,
        Operation = operation,
        Data = data,
        ClientTimestamp = At(time),
        SyncVersion = version,
        BaseVersion = baseVersion,
    };

    public static PushRequest Push(string device, params Change[] changes) => new()
    {
        DeviceId = device,
        SchemaVersion = SchemaVersions.Current,
        Changes = changes,
    };

    public static PullRequest Pull(string device, string? cursor = null, int? limit = null) => new()
    {
        DeviceId = device,
        SchemaVersion = SchemaVersions.Current,
        Cursor = cursor,
        Limit = limit,
    };
}
