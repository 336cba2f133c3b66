using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The indicator's state (<see cref="SyncState"/>): what the last step did, whether one runs, the open
/// conflicts, staleness. It owns those facts and their lock; the outbox and note counts come from the store.
/// Raises the status, stale and progress events.
/// </summary>
internal sealed class SyncStatusTracker
{
    private readonly Lock _lock = new();
    private readonly LocalDatabase _db;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private readonly SyncEvents _events;
    private readonly DateTimeOffset _createdAt;
    private SyncState _state;
    private DateTimeOffset? _lastSyncAt;
    private int _openConflicts;
    private bool _syncing;
    private SyncException? _lastError;
    private bool _staleWarned;

    public SyncStatusTracker(LocalDatabase db, TimeProvider time, TimeSpan staleAfter, SyncEvents events, DateTimeOffset? lastSyncAt, DateTimeOffset createdAt)
    {
        _db = db;
        _time = time;
        _staleAfter = staleAfter;
        _events = events;
        _lastSyncAt = lastSyncAt;
        _createdAt = createdAt;
        _openConflicts = db.Reader.OpenConflictCount();
        _state = Compute();
    }

    public SyncState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Recomputes the state and raises the events if it changed. Call outside of any write transaction.</summary>
    public void Refresh()
    {
        SyncState state;
        bool changed;
        var warn = false;
        lock (_lock)
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
            _events.OnStatusChanged(new SyncStateEventArgs(state));
        }

        if (warn)
        {
            _events.OnStaleWarning(new SyncStateEventArgs(state));
        }
    }

    public void SetSyncing(bool syncing)
    {
        lock (_lock)
        {
            _syncing = syncing;
        }

        Refresh();
    }

    public void RecordSuccess(DateTimeOffset at)
    {
        lock (_lock)
        {
            _lastSyncAt = at;
            _lastError = null;
            _staleWarned = false;
        }
    }

    public void RecordFailure(SyncException error)
    {
        lock (_lock)
        {
            _lastError = error;
        }
    }

    /// <summary>Recounts the open conflicts inside the write that changed them.</summary>
    public void RecountConflicts(LocalWriter w)
    {
        var count = w.CountOpenConflicts();
        lock (_lock)
        {
            _openConflicts = count;
        }
    }

    public void Report(SyncPhase phase, long done, long? total) => _events.OnProgress(new SyncProgressEventArgs(phase, done, total));

    private SyncState Compute()
    {
        var pending = _db.PendingCount;
        var documents = _db.UnsyncedDocuments;
        var since = _lastSyncAt ?? _createdAt;
        var stale = _time.GetUtcNow() - since > _staleAfter;
        var status = _syncing ? SyncStatus.Syncing
            : _lastError is SyncTransportException { IsNetworkError: true } ? SyncStatus.Offline
            : _lastError is not null ? SyncStatus.Error
            : _openConflicts > 0 ? SyncStatus.Conflict
            : pending > 0 || documents > 0 ? SyncStatus.Pending
            : SyncStatus.Synced;
        return new SyncState(status, _lastSyncAt, pending, _openConflicts, stale, _lastError) { UnsyncedDocuments = documents };
    }
}
