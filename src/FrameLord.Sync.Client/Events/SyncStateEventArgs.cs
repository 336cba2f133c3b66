namespace FrameLord.Sync.Client;

/// <summary>The state after a change (<see cref="SyncClient.StatusChanged"/>, <see cref="SyncClient.StaleWarning"/>).</summary>
public sealed class SyncStateEventArgs(SyncState state) : EventArgs
{
    public SyncState State { get; } = state;
}
