using System.Text.Json.Nodes;

namespace FrameLord.Sync.Client.Local;

/// <summary>One pending change. Entries taken into a batch (<see cref="Sent"/>) are never changed again.</summary>
internal sealed class OutboxEntry
{
    private JsonObject? _data;
    private string? _dataJson;

    public long Seq { get; set; }

    public required string ChangeId { get; init; }

    public required string EntityType { get; init; }

    public required string EntityId { get; init; }

    /// <summary><c>create</c>, <c>update</c> or <c>delete</c>.</summary>
    public required string Operation { get; set; }

    /// <summary>Create: the full entity; update: the changed fields (with <c>is_archived</c> when it archives or restores); delete: null.</summary>
    public JsonObject? Data
    {
        get => _data ??= _dataJson is null ? null : Rows.ParseObject(_dataJson);
        set => (_data, _dataJson) = (value, null);
    }

    /// <summary><see cref="Data"/> as JSON text (read from the row as is, without parsing).</summary>
    public string? DataJson
    {
        get => _data?.ToJsonString() ?? _dataJson;
        set => (_data, _dataJson) = (null, value);
    }

    public long ClientTimestamp { get; set; }

    public long SyncVersion { get; set; }

    public long BaseVersion { get; set; }

    public bool Sent { get; set; }
}
