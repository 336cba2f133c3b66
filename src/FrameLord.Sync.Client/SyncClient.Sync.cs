using System.Globalization;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Parts;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Crash points of the sync step, for the crash tests.</summary>
    internal const string FaultPushBeforeSend = PushSession.FaultBeforeSend;

    internal const string FaultPushBeforeAck = PushSession.FaultBeforeAck;

    internal const string FaultPullBeforeCursor = PullSession.FaultBeforeCursor;

    internal const string FaultPullAfterCommit = PullSession.FaultAfterCommit;

    /// <summary>
    /// One sync step (DESIGN 5.3): pull everything new, push the whole outbox in batches, pull again if
    /// anything was pushed, then sync the note bodies that need it (edited here and not yet synced, open,
    /// opened since the last step, or named by a live event). Deterministic: no timers, no threads of its
    /// own; a simulation drives the client with it.
    /// Throws the first <see cref="SyncException"/> (the state shows it); what was committed stays.
    /// </summary>
    public async Task<SyncResult> SyncNowAsync(CancellationToken cancellationToken = default) =>
        await RunExclusiveAsync(async () =>
        {
            var pulled = await _pull.PullAsync(cancellationToken);
            var (pushed, rejected, conflicts) = await _push.PushAsync(cancellationToken);
            if (pushed + rejected > 0)
            {
                pulled += await _pull.PullAsync(cancellationToken);
            }

            // Over the cellular budget, note bodies wait for another network (or the next month).
            var documents = IsDeferringLargeSyncs ? 0 : await SyncDocumentsCoreAsync(cancellationToken);

            var now = _time.GetUtcNow();
            await _db.WriteAsync(w =>
            {
                w.SetMeta(MetaKeys.LastSyncAt, now.UtcTicks.ToString(CultureInfo.InvariantCulture));
                return true;
            }, cancellationToken);
            RecordSuccess(now);
            _writer.SettleAfterStep();

            return new SyncResult(pulled, pushed, rejected, conflicts, documents);
        }, cancellationToken);

    /// <summary>Pulls only (every page after the cursor). Returns the number of changes applied.</summary>
    public Task<int> PullAsync(CancellationToken cancellationToken = default) =>
        RunExclusiveAsync(() => _pull.PullAsync(cancellationToken), cancellationToken);

    /// <summary>Pushes only (the whole outbox, in batches). Returns the number of changes the server accepted.</summary>
    public async Task<int> PushAsync(CancellationToken cancellationToken = default) =>
        (await RunExclusiveAsync(() => _push.PushAsync(cancellationToken), cancellationToken)).Pushed;

    private async Task<T> RunExclusiveAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await _syncGate.WaitAsync(cancellationToken);
        try
        {
            SetSyncing(true);
            try
            {
                return await work();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RecordFailure(e as SyncException ?? new SyncException($"Sync failed: {e.Message}", e));
                throw;
            }
            finally
            {
                SetSyncing(false);
            }
        }
        finally
        {
            _syncGate.Release();
        }
    }
}
