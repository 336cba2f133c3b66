using System.Text.Json.Nodes;

namespace FrameLord.Sync.Client.Local;

/// <summary>
/// An entity row: the local view and what the device knows of the server's copy. The JSON bodies are
/// kept as text until a caller needs them as objects (most pulls and acks never do).
/// </summary>
internal sealed class LocalEntity
{
    private JsonObject? _data;
    private string? _dataJson;
    private JsonObject? _shadow;
    private string? _shadowJson;

    public required string EntityType { get; init; }

    public required string EntityId { get; init; }

    /// <summary>The full entity as the app sees it (metadata included).</summary>
    public JsonObject Data
    {
        get => _data ??= Rows.ParseObject(_dataJson ?? "{}");
        set => (_data, _dataJson) = (value, null);
    }

    public string DataJson
    {
        get => _data?.ToJsonString() ?? _dataJson ?? "{}";
        set => (_data, _dataJson) = (null, value);
    }

    /// <summary>The last known server state, or null when the server never confirmed the entity.</summary>
    public JsonObject? Shadow
    {
        get => _shadow ??= _shadowJson is null ? null : Rows.ParseObject(_shadowJson);
        set => (_shadow, _shadowJson) = (value, null);
    }

    public string? ShadowJson
    {
        get => _shadow?.ToJsonString() ?? _shadowJson;
        set => (_shadow, _shadowJson) = (null, value);
    }

    public long SyncVersion { get; set; }

    public long ServerVersion { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }

    public bool IsArchived { get; set; }

    public bool IsContactZero { get; set; }

    public long? LastSyncedAt { get; set; }

    public string? LastSyncedDeviceId { get; set; }
}
