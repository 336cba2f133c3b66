namespace FrameLord.Sync.Client;

/// <summary>A push met concurrent edits (<see cref="SyncClient.ConflictDetected"/>).</summary>
public sealed class ConflictEventArgs(SyncConflict conflict) : EventArgs
{
    public SyncConflict Conflict { get; } = conflict;
}
