using System.Text.Json;
using System.Text.Json.Serialization;

namespace FrameLord.Sync.Client.Models;

/// <summary>
/// What every entity carries (DESIGN 1). The metadata (<see cref="CreatedAt"/>, <see cref="UpdatedAt"/>,
/// <see cref="SyncVersion"/>) is managed by the SDK: values set by the app are ignored on write.
/// Fields this version of the SDK does not know are kept in <see cref="ExtensionData"/> and written back
/// unchanged, so an older client never drops what a newer one wrote.
/// </summary>
public abstract class SyncEntity
{
    /// <summary>Client-generated, unique per user and type. Empty on create: the SDK generates one.</summary>
    public string Id { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The device's version of the entity: +1 per local edit, never below the server's.</summary>
    public long SyncVersion { get; set; }

    /// <summary>Deleted (a tombstone); restore sets it back to false.</summary>
    public bool IsArchived { get; set; }

    /// <summary>Fields this SDK version does not model, kept as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
