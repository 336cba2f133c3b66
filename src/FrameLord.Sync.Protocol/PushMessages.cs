using System.Text.Json;
using System.Text.Json.Serialization;

namespace FrameLord.Sync.Protocol;

/// <summary><c>POST /sync/push</c> body (DESIGN 3.2).</summary>
public sealed record PushRequest
{
    public required string DeviceId { get; init; }
    public string? ClientVersion { get; init; }
    public required string SchemaVersion { get; init; }
    public DateTimeOffset? SyncTimestamp { get; init; }
    public required IReadOnlyList<Change> Changes { get; init; }
}

/// <summary>One local write, as pushed.</summary>
public sealed record Change
{
    /// <summary>Idempotency key, unique per device: a replay returns the first outcome.</summary>
    public required string ChangeId { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    /// <summary><c>create</c>, <c>update</c> or <c>delete</c> (<see cref="Operations"/>).</summary>
    public required string Operation { get; init; }
    /// <summary>Create: the full entity; update: the changed fields only; delete: omitted.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Data { get; init; }
    public required DateTimeOffset ClientTimestamp { get; init; }
    /// <summary>The client's version of the entity after this edit.</summary>
    public required long SyncVersion { get; init; }
    /// <summary>The server version this edit started from (0 for a create).</summary>
    public required long BaseVersion { get; init; }
}

/// <summary>The answer to a push: every change is in exactly one of successful or failed.</summary>
public sealed record PushResponse
{
    public required IReadOnlyList<ChangeSucceeded> Successful { get; init; }
    public required IReadOnlyList<ChangeFailed> Failed { get; init; }
    /// <summary>Changes that met concurrent edits; each is also in <see cref="Successful"/>.</summary>
    public required IReadOnlyList<Conflict> Conflicts { get; init; }
}

/// <summary>A change that was applied (or merged); <see cref="SyncVersion"/> is the server's new version.</summary>
public sealed record ChangeSucceeded
{
    public required string ChangeId { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public required long SyncVersion { get; init; }
}

/// <summary>A change that was refused; nothing of it was stored.</summary>
public sealed record ChangeFailed
{
    public required string ChangeId { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public required ErrorBody Error { get; init; }
}
