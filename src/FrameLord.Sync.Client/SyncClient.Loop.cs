using FrameLord.Sync.Client.Transport;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    private CancellationTokenSource? _loopStop;

    /// <summary>Stops the live stream: with the loop, or alone when the loop ends on a schema mismatch.</summary>
    private CancellationTokenSource? _liveStop;

    private Task? _loop;
    private Task? _live;

    /// <summary>When the idle loop will next wake on its own (null while it syncs or is stopped); lets tests step a fake clock safely.</summary>
    internal DateTimeOffset? LoopWaitingUntil { get; private set; }

    /// <summary>True while the background loop runs.</summary>
    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>
    /// Starts the sync loop over <see cref="SyncNowAsync"/>: a sync at once (start-up pull), then one
    /// <see cref="SyncClientOptions.DebounceDelay"/> after local writes, one every
    /// <see cref="SyncClientOptions.PullInterval"/>, and on <see cref="RequestSync"/>. After a failure it
    /// waits 2, 4, 8, 16, 32 s, then about 32 s each time. A schema mismatch stops it (the app must
    /// update). Every wait is on the injected <see cref="TimeProvider"/>.
    /// </summary>
    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        _loopStop = new CancellationTokenSource();
        _liveStop = null;
        if (_transport is ILiveChangeSource live)
        {
            _liveStop = CancellationTokenSource.CreateLinkedTokenSource(_loopStop.Token);
            _live = ListenAsync(live, _liveStop.Token);
        }

        _loop = RunLoopAsync(_loopStop.Token);
        StartLiveConnections();
    }

    /// <summary>
    /// Keeps the live event stream open while the loop runs: each <c>changes</c> event asks for a sync, and
    /// so does a <c>doc</c> event for a note the device holds at an older version.
    /// A broken stream is reopened after 2, 4, 8, 16, 32 s (then about 32 s), on the injected clock.
    /// </summary>
    private async Task ListenAsync(ILiveChangeSource live, CancellationToken stop)
    {
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var token = AccessToken ?? await RefreshTokenAsync(null, stop);
                await live.ListenAsync(token, (name, data) =>
                {
                    attempt = 0;
                    if (name == "changes")
                    {
                        RequestSync();
                    }
                    else if (name == "doc")
                    {
                        OnDocumentEvent(data);
                    }
                }, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Stopping: a stream cut while it closes (connection reset) is not an error.
                return;
            }
            catch (SyncTransportException e) when (e.IsUnauthorized && _options.RefreshAccessToken is not null)
            {
                try
                {
                    await RefreshTokenAsync(e, stop);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // Tried again after the backoff below.
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // Reopened after the backoff below; the loop's pulls go on meanwhile.
            }

            try
            {
                await Task.Delay(_backoff.Delay(++attempt), _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops the loop after the step it is in (the step is cancelled).</summary>
    public async Task StopAsync()
    {
        if (_loopStop is null || _loop is null)
        {
            return;
        }

        await _loopStop.CancelAsync();
        await StopLiveConnectionsAsync();
        foreach (var task in new[] { _loop, _live })
        {
            try
            {
                if (task is not null)
                {
                    await task;
                }
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _live = null;
        _liveStop?.Dispose();
        _liveStop = null;

        _loopStop.Dispose();
        _loopStop = null;
        _loop = null;
    }

    /// <summary>Asks the loop to sync now (on demand; e.g. on a live change notification).</summary>
    public void RequestSync() => _trigger.Request();

    private async Task RunLoopAsync(CancellationToken stop)
    {
        var attempt = 0;
        DateTimeOffset? retryAt = null;
        var nextPullAt = _time.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            Task wake;
            bool requested;
            DateTimeOffset due;
            var now = _time.GetUtcNow();
            // Armed before the write clock is read: a write after this wakes the new wait.
            (wake, requested) = _trigger.Arm();
            due = retryAt ?? nextPullAt;
            if (retryAt is null && HasUnsentWork)
            {
                due = Min(due, _writer.PushDueAt(now));
            }

            RefreshState();
            if (!requested && due > now)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var delay = Task.Delay(due - now, _time, wait.Token);
                LoopWaitingUntil = due;
                await Task.WhenAny(delay, wake);
                LoopWaitingUntil = null;
                await wait.CancelAsync();
                continue;
            }

            _trigger.TakeRequest();

            try
            {
                await SyncNowAsync(stop);
                _db.Checkpoint(); // housekeeping after the step, outside the write gate: local writes never pay for it
                attempt = 0;
                retryAt = null;
                nextPullAt = _time.GetUtcNow() + _options.PullInterval;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (SchemaMismatchException)
            {
                // The app must update: nothing more to sync, so the live stream closes too.
                _liveStop?.Cancel();
                return;
            }
            catch (Exception e)
            {
                attempt++;
                retryAt = _time.GetUtcNow() + _backoff.Delay(attempt, (e as SyncTransportException)?.RetryAfter);
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
