using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    private readonly Lock _stateLock = new();
    private SyncState _state = new(SyncStatus.Synced, null, 0, 0, false, null);
    private DateTimeOffset _createdAt;
    private DateTimeOffset? _lastSyncAt;
    private int _openConflicts;
    private bool _syncing;
    private SyncException? _lastError;
    private bool _staleWarned;

    /// <summary>Raised whenever <see cref="State"/> changes (status, counts, last sync). Handlers run on the thread that made the change.</summary>
    public event EventHandler<SyncStateEventArgs>? StatusChanged;

    /// <summary>Raised once when the device has been out of sync for longer than <see cref="SyncClientOptions.StaleAfter"/>, again after the next success.</summary>
    public event EventHandler<SyncStateEventArgs>? StaleWarning;

    /// <summary>Progress of pulls, pushes and document syncs.</summary>
    public event EventHandler<SyncProgressEventArgs>? ProgressChanged;

    /// <summary>A pull changed an entity the app shows ("updated on another device").</summary>
    public event EventHandler<RemoteChangeEventArgs>? EntityChangedRemotely;

    /// <summary>
    /// A pull brought more changes from other devices than <see cref="SyncClientOptions.NotificationSummaryThreshold"/>:
    /// raised once instead of <see cref="EntityChangedRemotely"/> for each.
    /// </summary>
    public event EventHandler<RemoteChangesSummaryEventArgs>? RemoteChangesSummarized;

    /// <summary>A push met a conflict; it is stored locally (<see cref="GetConflictsAsync"/>).</summary>
    public event EventHandler<ConflictEventArgs>? ConflictDetected;

    /// <summary>The server refused a change; it left the outbox (<see cref="GetRejectedChangesAsync"/>).</summary>
    public event EventHandler<ChangeRejectedEventArgs>? ChangeRejected;

    /// <summary>The indicator's current state.</summary>
    public SyncState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    private void InitializeState(DateTimeOffset? lastSyncAt, DateTimeOffset createdAt)
    {
        _lastSyncAt = lastSyncAt;
        _createdAt = createdAt;
        _openConflicts = _db.Reader.OpenConflictCount();
        lock (_stateLock)
        {
            _state = Compute();
        }
    }

    /// <summary>Recomputes the state and raises the events if it changed. Call outside of any write transaction.</summary>
    internal void RefreshState()
    {
        SyncState state;
        bool changed;
        bool warn = false;
        lock (_stateLock)
        {
            state = Compute();
            changed = state != _state;
            _state = state;
            if (state.IsStale && !_staleWarned)
            {
                _staleWarned = warn = true;
            }
        }

        if (changed)
        {
            StatusChanged?.Invoke(this, new SyncStateEventArgs(state));
        }

        if (warn)
        {
            StaleWarning?.Invoke(this, new SyncStateEventArgs(state));
        }
    }

    /// <summary>Outbox entries or note bodies with edits the server does not have yet: the loop's debounced push is due.</summary>
    private bool HasUnsentWork => _db.PendingCount > 0 || _db.UnsyncedDocuments > 0;

    private SyncState Compute()
    {
        var pending = _db.PendingCount;
        var documents = _db.UnsyncedDocuments;
        var since = _lastSyncAt ?? _createdAt;
        var stale = _time.GetUtcNow() - since > _options.StaleAfter;
        var status = _syncing ? SyncStatus.Syncing
            : _lastError is SyncTransportException { IsNetworkError: true } ? SyncStatus.Offline
            : _lastError is not null ? SyncStatus.Error
            : _openConflicts > 0 ? SyncStatus.Conflict
            : pending > 0 || documents > 0 ? SyncStatus.Pending
            : SyncStatus.Synced;
        return new SyncState(status, _lastSyncAt, pending, _openConflicts, stale, _lastError) { UnsyncedDocuments = documents };
    }

    private void SetSyncing(bool syncing)
    {
        lock (_stateLock)
        {
            _syncing = syncing;
        }

        RefreshState();
    }

    private void RecordSuccess(DateTimeOffset at)
    {
        lock (_stateLock)
        {
            _lastSyncAt = at;
            _lastError = null;
            _staleWarned = false;
        }
    }

    private void RecordFailure(SyncException error)
    {
        lock (_stateLock)
        {
            _lastError = error;
        }
    }

    private void RecountConflicts(LocalWriter w)
    {
        var count = w.CountOpenConflicts();
        lock (_stateLock)
        {
            _openConflicts = count;
        }
    }

    private void Report(SyncPhase phase, long done, long? total) =>
        ProgressChanged?.Invoke(this, new SyncProgressEventArgs(phase, done, total));
}
