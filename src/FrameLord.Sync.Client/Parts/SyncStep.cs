using System.Globalization;
using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// One sync step (DESIGN 5.3) over the sessions: pull, push, pull again if anything was pushed, then the note
/// bodies that need it; each under the <see cref="SyncGate"/>. Deterministic: no timers, no threads of its own.
/// </summary>
internal sealed class SyncStep(
    LocalDatabase db, TimeProvider time, PullSession pull, PushSession push, DocumentSyncSession documents, BandwidthPolicy bandwidth,
    EntityWriter writer, SyncGate gate, SyncStatusTracker status)
{
    public Task<SyncResult> RunAsync(CancellationToken cancellationToken) =>
        gate.RunAsync(async () =>
        {
            var pulled = await pull.PullAsync(cancellationToken);
            var (pushed, rejected, conflicts) = await push.PushAsync(cancellationToken);
            if (pushed + rejected > 0)
            {
                pulled += await pull.PullAsync(cancellationToken);
            }

            // Over the cellular budget, note bodies wait for another network (or the next month).
            var synced = bandwidth.IsDeferringLargeSyncs ? 0 : await documents.SyncDueAsync(cancellationToken);

            var now = time.GetUtcNow();
            await db.WriteAsync(w =>
            {
                w.SetMeta(MetaKeys.LastSyncAt, now.UtcTicks.ToString(CultureInfo.InvariantCulture));
                return true;
            }, cancellationToken);
            status.RecordSuccess(now);
            writer.SettleAfterStep();

            return new SyncResult(pulled, pushed, rejected, conflicts, synced);
        }, cancellationToken);

    public Task<int> PullAsync(CancellationToken cancellationToken) => gate.RunAsync(() => pull.PullAsync(cancellationToken), cancellationToken);

    public async Task<int> PushAsync(CancellationToken cancellationToken) =>
        (await gate.RunAsync(() => push.PushAsync(cancellationToken), cancellationToken)).Pushed;
}
