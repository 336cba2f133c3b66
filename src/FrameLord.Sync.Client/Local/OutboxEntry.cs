using System.Text.Json.Nodes;

namespace FrameLord.Sync.Client.Local;

/// <summary>One pending change. Entries taken into a batch (<see cref="Sent"/>) are never changed again.</summary>
internal sealed class OutboxEntry
{
    public long Seq { get; set; }

    public required string ChangeId { get; init; }

    public required string EntityType { get; init; }

    public required string EntityId { get; init; }

    /// <summary><c>create</c>, <c>update</c> or <c>delete</c>.</summary>
    public required string Operation { get; set; }

    /// <summary>Create: the full entity; update: the changed fields; delete: null.</summary>
    public JsonObject? Data { get; set; }

    /// <summary>Delete only: the field edits it absorbed, sent again if the entity is restored.</summary>
    public JsonObject? Held { get; set; }

    public long ClientTimestamp { get; set; }

    public long SyncVersion { get; set; }

    public long BaseVersion { get; set; }

    public bool Sent { get; set; }
}
