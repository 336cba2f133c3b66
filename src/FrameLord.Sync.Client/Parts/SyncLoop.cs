using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The background loop over <see cref="SyncStep"/>: a step at start, one a debounce after local writes, one
/// every pull interval and on request, backoff after a failure; and beside it the live event stream that asks
/// for steps. It owns the loop's tasks and its schedule; every wait is on the injected clock.
/// </summary>
internal sealed class SyncLoop(
    LocalDatabase db, TimeProvider time, SyncClientOptions options, ISyncTransport transport, AccessTokens tokens, Backoff backoff, SyncStep step,
    SyncTrigger trigger, EntityWriter writer, DocumentRegistry documents, SyncStatusTracker status)
{
    private CancellationTokenSource? _loopStop;

    /// <summary>Stops the live stream: with the loop, or alone when the loop ends on a schema mismatch.</summary>
    private CancellationTokenSource? _liveStop;

    private Task? _loop;
    private Task? _live;

    /// <summary>When the idle loop will next wake on its own (null while it syncs or is stopped); lets tests step a fake clock safely.</summary>
    public DateTimeOffset? WaitingUntil { get; private set; }

    /// <summary>True while the loop runs.</summary>
    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>Starts the loop and, on a transport with a live stream, the listener; a no-op while the loop runs.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        _loopStop = new CancellationTokenSource();
        _liveStop = null;
        if (transport is ILiveChangeSource live)
        {
            _liveStop = CancellationTokenSource.CreateLinkedTokenSource(_loopStop.Token);
            _live = ListenAsync(live, _liveStop.Token);
        }

        _loop = RunLoopAsync(_loopStop.Token);
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
                var token = await tokens.CurrentOrRefreshAsync(stop);
                await live.ListenAsync(token, (name, data) =>
                {
                    attempt = 0;
                    if (name == "changes")
                    {
                        trigger.Request();
                    }
                    else if (name == "doc")
                    {
                        documents.OnDocumentEvent(data);
                    }
                }, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Stopping: a stream cut while it closes (connection reset) is not an error.
                return;
            }
            catch (SyncTransportException e) when (e.IsUnauthorized && tokens.CanRefresh)
            {
                try
                {
                    await tokens.RefreshAsync(e, stop);
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
                await Task.Delay(backoff.Delay(++attempt), time, stop);
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

    private async Task RunLoopAsync(CancellationToken stop)
    {
        var attempt = 0;
        DateTimeOffset? retryAt = null;
        var nextPullAt = time.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            Task wake;
            bool requested;
            DateTimeOffset due;
            var now = time.GetUtcNow();
            // Armed before the write clock is read: a write after this wakes the new wait.
            (wake, requested) = trigger.Arm();
            due = retryAt ?? nextPullAt;
            if (retryAt is null && writer.HasUnsentWork)
            {
                due = Min(due, writer.PushDueAt(now));
            }

            status.Refresh();
            if (!requested && due > now)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var delay = Task.Delay(due - now, time, wait.Token);
                WaitingUntil = due;
                await Task.WhenAny(delay, wake);
                WaitingUntil = null;
                await wait.CancelAsync();
                continue;
            }

            trigger.TakeRequest();

            try
            {
                await step.RunAsync(stop);
                db.Checkpoint(); // housekeeping after the step, outside the write gate: local writes never pay for it
                attempt = 0;
                retryAt = null;
                nextPullAt = time.GetUtcNow() + options.PullInterval;
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
                retryAt = time.GetUtcNow() + backoff.Delay(attempt, (e as SyncTransportException)?.RetryAfter);
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
