using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Raised whenever <see cref="State"/> changes (status, counts, last sync). Handlers run on the thread that made the change.</summary>
    public event EventHandler<SyncStateEventArgs>? StatusChanged
    {
        add => _events.StatusChanged += value;
        remove => _events.StatusChanged -= value;
    }

    /// <summary>Raised once when the device has been out of sync for longer than <see cref="SyncClientOptions.StaleAfter"/>, again after the next success.</summary>
    public event EventHandler<SyncStateEventArgs>? StaleWarning
    {
        add => _events.StaleWarning += value;
        remove => _events.StaleWarning -= value;
    }

    /// <summary>Progress of pulls, pushes and document syncs.</summary>
    public event EventHandler<SyncProgressEventArgs>? ProgressChanged
    {
        add => _events.ProgressChanged += value;
        remove => _events.ProgressChanged -= value;
    }

    /// <summary>A pull changed an entity the app shows ("updated on another device").</summary>
    public event EventHandler<RemoteChangeEventArgs>? EntityChangedRemotely
    {
        add => _events.EntityChangedRemotely += value;
        remove => _events.EntityChangedRemotely -= value;
    }

    /// <summary>
    /// A pull brought more changes from other devices than <see cref="SyncClientOptions.NotificationSummaryThreshold"/>:
    /// raised once instead of <see cref="EntityChangedRemotely"/> for each.
    /// </summary>
    public event EventHandler<RemoteChangesSummaryEventArgs>? RemoteChangesSummarized
    {
        add => _events.RemoteChangesSummarized += value;
        remove => _events.RemoteChangesSummarized -= value;
    }

    /// <summary>A push met a conflict; it is stored locally (<see cref="GetConflictsAsync"/>).</summary>
    public event EventHandler<ConflictEventArgs>? ConflictDetected
    {
        add => _events.ConflictDetected += value;
        remove => _events.ConflictDetected -= value;
    }

    /// <summary>The server refused a change; it left the outbox (<see cref="GetRejectedChangesAsync"/>).</summary>
    public event EventHandler<ChangeRejectedEventArgs>? ChangeRejected
    {
        add => _events.ChangeRejected += value;
        remove => _events.ChangeRejected -= value;
    }

    /// <summary>The indicator's current state.</summary>
    public SyncState State => _status.State;

    /// <summary>Recomputes the state and raises the events if it changed. Call outside of any write transaction.</summary>
    internal void RefreshState() => _status.Refresh();

    private bool HasUnsentWork => _writer.HasUnsentWork;

    private void SetSyncing(bool syncing) => _status.SetSyncing(syncing);

    private void RecordSuccess(DateTimeOffset at) => _status.RecordSuccess(at);

    private void RecordFailure(SyncException error) => _status.RecordFailure(error);

    private void RecountConflicts(LocalWriter w) => _status.RecountConflicts(w);

    private void Report(SyncPhase phase, long done, long? total) => _status.Report(phase, done, total);
}
