namespace FrameLord.Sync.Client;

/// <summary>The server refused one change; it left the outbox (<see cref="SyncClient.ChangeRejected"/>).</summary>
public sealed class ChangeRejectedEventArgs(RejectedChange change) : EventArgs
{
    public RejectedChange Change { get; } = change;
}
