using System.Text.Json.Nodes;

namespace FrameLord.Sync.Client.Engine;

/// <summary>What a local write does to an entity.</summary>
internal enum EditKind
{
    Create,
    Update,
    Delete,
    Restore,
}

/// <summary>
/// One local write as the outbox takes it: <see cref="Data"/> is the full entity for a create, the
/// changed fields for an update, null for a delete or restore. <see cref="BaseVersion"/> is the server
/// version the device knew when it made the edit.
/// </summary>
internal sealed record LocalEdit(EditKind Kind, JsonObject? Data, long SyncVersion, long ClientTimestamp, long BaseVersion);
