using System.Text.Json.Nodes;

namespace FrameLord.Sync.Client.Local;

/// <summary>An entity row: the local view and what the device knows of the server's copy.</summary>
internal sealed class LocalEntity
{
    public required string EntityType { get; init; }

    public required string EntityId { get; init; }

    /// <summary>The full entity as the app sees it (metadata included).</summary>
    public required JsonObject Data { get; set; }

    public long SyncVersion { get; set; }

    public long ServerVersion { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }

    public bool IsArchived { get; set; }

    public bool IsContactZero { get; set; }

    public long? LastSyncedAt { get; set; }

    public string? LastSyncedDeviceId { get; set; }

    /// <summary>The last known server state, or null when the server never confirmed the entity.</summary>
    public JsonObject? Shadow { get; set; }
}
