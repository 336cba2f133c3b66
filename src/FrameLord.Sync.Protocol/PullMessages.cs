using System.Text.Json;

namespace FrameLord.Sync.Protocol;

/// <summary><c>POST /sync/pull</c> body (DESIGN 3.3). No cursor and no timestamp: from the beginning.</summary>
public sealed record PullRequest
{
    public required string DeviceId { get; init; }
    public required string SchemaVersion { get; init; }
    /// <summary>The opaque cursor of the previous page.</summary>
    public string? Cursor { get; init; }
    /// <summary>For a first pull only: changes committed at or after this server time.</summary>
    public DateTimeOffset? LastSyncTimestamp { get; init; }
    /// <summary>Page size; default 500, capped at the server's limit (1,000).</summary>
    public int? Limit { get; init; }
}

/// <summary>One page of changes in the user's commit order.</summary>
public sealed record PullResponse
{
    public required IReadOnlyList<PulledChange> Changes { get; init; }
    /// <summary>Opaque; send it back to continue after this page.</summary>
    public required string Cursor { get; init; }
    public required bool HasMore { get; init; }
    public required DateTimeOffset SyncTimestamp { get; init; }
    /// <summary>
    /// How many changes lie after this page as of this read: an upper bound (an entity changed twice
    /// counts twice), for progress such as "Syncing 1,234 changes… 45%". 0 when <see cref="HasMore"/> is false.
    /// </summary>
    public long Remaining { get; init; }
}

/// <summary>An entity's latest state; <see cref="Operation"/> is <c>delete</c> exactly when it is archived.</summary>
public sealed record PulledChange
{
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public required string Operation { get; init; }
    /// <summary>The full entity, metadata included.</summary>
    public required JsonElement Data { get; init; }
    public required long SyncVersion { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public required bool IsArchived { get; init; }
    public required string ModifiedByDevice { get; init; }
}
