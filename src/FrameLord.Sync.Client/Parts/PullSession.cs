using System.Globalization;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The pull half of a sync step (DESIGN 5.3): pages from the stored cursor, each applied with its cursor in
/// one transaction, the next page fetched while one is applied, a full resync on 410, and the notifications
/// of what other devices changed (one by one, or one summary for a pull that brings many).
/// </summary>
internal sealed class PullSession(
    LocalDatabase db, TimeProvider time, SyncClientOptions options, DeviceIdentity identity, AccessTokens tokens, ISyncTransport transport,
    EntityWriter writer, RemoteEntityApplier applier, BandwidthPolicy bandwidth, SyncStatusTracker status, SyncEvents events)
{
    /// <summary>Crash point: a pull page is applied but its cursor not yet written (same transaction).</summary>
    internal const string FaultBeforeCursor = "pull.before-cursor";

    /// <summary>Crash point: a pull page and its cursor are committed, the next page not yet asked for.</summary>
    internal const string FaultAfterCommit = "pull.after-commit";

    /// <summary>
    /// Pulls every page after the stored cursor (DESIGN 5.3). Each page and the cursor after it commit in
    /// one transaction, so a crash resumes from the last committed page without a gap. 410
    /// RESYNC_REQUIRED starts again from the beginning; the outbox is kept and merged as usual.
    /// </summary>
    public async Task<int> PullAsync(CancellationToken cancellationToken)
    {
        var cursor = db.Reader.Meta(MetaKeys.Cursor);
        status.Report(SyncPhase.Pull, 0, null);
        var notifier = new RemoteChangeNotifier(options.NotificationSummaryThreshold,
            events.OnEntityChangedRemotely, events.OnRemoteChangesSummarized);
        try
        {
            return await PullPagesAsync(cursor, notifier, cancellationToken);
        }
        finally
        {
            // What committed is announced even when a later page fails.
            notifier.Flush();
        }
    }

    private async Task<int> PullPagesAsync(string? cursor, RemoteChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var total = 0;
        var resynced = false;
        var fetch = FetchPageAsync(cursor, cancellationToken);
        while (true)
        {
            PullResponse page;
            try
            {
                page = await fetch;
            }
            catch (SyncTransportException e) when (e.Code == ErrorCodes.ResyncRequired && !resynced)
            {
                // Full resync: everything again from the beginning; the outbox is kept and merged as usual.
                // Entities the server no longer has (purged tombstones) are swept once the last page is in.
                resynced = true;
                cursor = null;
                var since = time.GetUtcNow().UtcTicks;
                await db.WriteAsync(w =>
                {
                    if (w.GetMeta(MetaKeys.ResyncSince) is null)
                    {
                        w.SetMeta(MetaKeys.ResyncSince, since.ToString(CultureInfo.InvariantCulture));
                    }

                    return true;
                }, cancellationToken);
                fetch = FetchPageAsync(null, cancellationToken);
                continue;
            }

            // The next page is asked for while this one is applied: the cursor that page needs is already here.
            // A large pull on cellular past the budget stops after this page: what came is committed, the rest waits.
            var defer = page.HasMore && page.Remaining > options.LargePullChanges && bandwidth.IsDeferringLargeSyncs;
            fetch = page.HasMore && !defer ? FetchPageAsync(page.Cursor, cancellationToken) : Task.FromResult<PullResponse>(null!);

            var now = time.GetUtcNow().UtcTicks;
            List<RemoteChangeEventArgs> events;
            try
            {
                events = await ApplyPageAsync(page, now, cancellationToken);
                db.Fault(FaultAfterCommit);
            }
            catch
            {
                TaskObservation.Observe(fetch);
                throw;
            }

            notifier.Add(events);
            total += page.Changes.Count;
            cursor = page.Cursor;
            // remaining (DESIGN 3.3) gives a percentage from the first page; a server that does not send it leaves the total unknown.
            status.Report(SyncPhase.Pull, total, !page.HasMore ? total : page.Remaining > 0 ? total + page.Remaining : null);
            if (!page.HasMore)
            {
                notifier.Add(await FinishResyncAsync(cancellationToken));
                return total;
            }

            if (defer)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// After a full resync reached the last page: removes the entities the resync did not bring back
    /// (the server purged them as old tombstones), unless they have pending changes or never reached
    /// the server. Nothing to do when no resync is under way.
    /// </summary>
    private Task<List<RemoteChangeEventArgs>> FinishResyncAsync(CancellationToken cancellationToken) =>
        db.WriteAsync(w =>
        {
            if (w.GetMeta(MetaKeys.ResyncSince) is not { } value)
            {
                return [];
            }

            var since = long.Parse(value, CultureInfo.InvariantCulture);
            var removed = w.SweepAfterResync(since)
                .Select(e => new RemoteChangeEventArgs(e.Type, e.Id, "", [EntityFields.IsArchived], false, true)).ToList();
            w.SetMeta(MetaKeys.ResyncSince, null);
            return removed;
        }, cancellationToken);

    private Task<PullResponse> FetchPageAsync(string? cursor, CancellationToken cancellationToken)
    {
        var request = new PullRequest { DeviceId = identity.DeviceId, SchemaVersion = options.SchemaVersion, Cursor = cursor, Limit = PageSize() };
        return tokens.AuthorizedAsync(token => transport.PullAsync(request, token, cancellationToken), cancellationToken);
    }

    private int PageSize()
    {
        return time.GetUtcNow() - writer.LastWriteAt < options.DebounceDelay
            ? Math.Min(options.InteractivePullPageSize, options.PullPageSize)
            : options.PullPageSize;
    }

    /// <summary>Applies one page and writes the cursor after it, in one transaction.</summary>
    private Task<List<RemoteChangeEventArgs>> ApplyPageAsync(PullResponse page, long now, CancellationToken cancellationToken) =>
        db.WriteAsync(w =>
            {
                var raised = new List<RemoteChangeEventArgs>();
                foreach (var change in page.Changes)
                {
                    if (applier.Apply(w, change.EntityType, change.EntityId, change.Data, change.SyncVersion, change.UpdatedAt, change.ModifiedByDevice, now) is { } e)
                    {
                        raised.Add(e);
                    }
                }

                db.Fault(FaultBeforeCursor);
                w.SetMeta(MetaKeys.Cursor, page.Cursor);
                return raised;
            }, cancellationToken);
}
