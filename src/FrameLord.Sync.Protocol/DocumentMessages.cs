using System.Text.Json.Serialization;

namespace FrameLord.Sync.Protocol;

/// <summary><c>POST /notes/{note_id}/sync</c> body (DESIGN 3.5). Byte arrays travel as base64.</summary>
public sealed record DocumentSyncRequest
{
    /// <summary>A Yjs v1 update the client has and the server may not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? YjsUpdates { get; init; }
    /// <summary>The client's Yjs state vector; absent means the client has nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? StateVector { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SyncVersion { get; init; }
}

/// <summary>What the client lacks, and the server's state vector after the client's update.</summary>
public sealed record DocumentSyncResponse
{
    public required byte[] Updates { get; init; }
    public required byte[] NewStateVector { get; init; }
    /// <summary>How many non-empty updates the document has accepted.</summary>
    public required long SyncVersion { get; init; }
}
