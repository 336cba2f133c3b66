using System.Text.Json;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Crash point: a pull page is applied but its cursor not yet written (same transaction).</summary>
    internal const string FaultPullBeforeCursor = "pull.before-cursor";

    /// <summary>Crash point: a pull page and its cursor are committed, the next page not yet asked for.</summary>
    internal const string FaultPullAfterCommit = "pull.after-commit";

    /// <summary>
    /// Pulls every page after the stored cursor (DESIGN 5.3). Each page and the cursor after it commit in
    /// one transaction, so a crash resumes from the last committed page without a gap. 410
    /// RESYNC_REQUIRED starts again from the beginning; the outbox is kept and merged as usual.
    /// </summary>
    private async Task<int> PullCoreAsync(CancellationToken cancellationToken)
    {
        var cursor = _db.Reader.Meta(MetaKeys.Cursor);
        Report(SyncPhase.Pull, 0, null);
        var notifier = new RemoteChangeNotifier(_options.NotificationSummaryThreshold,
            _events.OnEntityChangedRemotely, _events.OnRemoteChangesSummarized);
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
                var since = _time.GetUtcNow().UtcTicks;
                await _db.WriteAsync(w =>
                {
                    if (w.GetMeta(MetaKeys.ResyncSince) is null)
                    {
                        w.SetMeta(MetaKeys.ResyncSince, since.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    return true;
                }, cancellationToken);
                fetch = FetchPageAsync(null, cancellationToken);
                continue;
            }

            // The next page is asked for while this one is applied: the cursor that page needs is already here.
            // A large pull on cellular past the budget stops after this page: what came is committed, the rest waits.
            var defer = page.HasMore && page.Remaining > _options.LargePullChanges && IsDeferringLargeSyncs;
            fetch = page.HasMore && !defer ? FetchPageAsync(page.Cursor, cancellationToken) : Task.FromResult<PullResponse>(null!);

            var now = _time.GetUtcNow().UtcTicks;
            List<RemoteChangeEventArgs> events;
            try
            {
                events = await ApplyPageAsync(page, now, cancellationToken);
                _db.Fault(FaultPullAfterCommit);
            }
            catch
            {
                Observe(fetch);
                throw;
            }

            notifier.Add(events);
            total += page.Changes.Count;
            cursor = page.Cursor;
            // remaining (DESIGN 3.3) gives a percentage from the first page; a server that does not send it leaves the total unknown.
            Report(SyncPhase.Pull, total, !page.HasMore ? total : page.Remaining > 0 ? total + page.Remaining : null);
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
        _db.WriteAsync(w =>
        {
            if (w.GetMeta(MetaKeys.ResyncSince) is not { } value)
            {
                return [];
            }

            var since = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            var removed = w.SweepAfterResync(since)
                .Select(e => new RemoteChangeEventArgs(e.Type, e.Id, "", [EntityFields.IsArchived], false, true)).ToList();
            w.SetMeta(MetaKeys.ResyncSince, null);
            return removed;
        }, cancellationToken);

    private Task<PullResponse> FetchPageAsync(string? cursor, CancellationToken cancellationToken)
    {
        var request = new PullRequest { DeviceId = DeviceId, SchemaVersion = _options.SchemaVersion, Cursor = cursor, Limit = PageSize() };
        return AuthorizedAsync(token => _transport.PullAsync(request, token, cancellationToken), cancellationToken);
    }

    private int PageSize()
    {
        return _time.GetUtcNow() - _writer.LastWriteAt < _options.DebounceDelay
            ? Math.Min(_options.InteractivePullPageSize, _options.PullPageSize)
            : _options.PullPageSize;
    }

    /// <summary>Applies one page and writes the cursor after it, in one transaction.</summary>
    private Task<List<RemoteChangeEventArgs>> ApplyPageAsync(PullResponse page, long now, CancellationToken cancellationToken) =>
        _db.WriteAsync(w =>
            {
                var raised = new List<RemoteChangeEventArgs>();
                foreach (var change in page.Changes)
                {
                    if (ApplyRemote(w, change.EntityType, change.EntityId, change.Data, change.SyncVersion, change.UpdatedAt, change.ModifiedByDevice, now) is { } e)
                    {
                        raised.Add(e);
                    }
                }

                _db.Fault(FaultPullBeforeCursor);
                w.SetMeta(MetaKeys.Cursor, page.Cursor);
                return raised;
            }, cancellationToken);

    /// <summary>A request left running when a step fails: its own failure is expected and must not go unobserved.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>
    /// Applies the server's state of an entity: as is when the device has nothing pending for it,
    /// otherwise merged with the pending edits as the server will merge them (<see cref="PullMerger"/>).
    /// Returns the notification to raise when another device's write changed what the app shows.
    /// </summary>
    private RemoteChangeEventArgs? ApplyRemote(
        LocalWriter w, string entityType, string entityId, JsonElement remote, long version, DateTimeOffset updatedAt, string modifiedBy, long now)
    {
        if (IsContactZero(entityType, entityId) || !EntityTypes.IsKnown(entityType) || remote.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var raw = remote.GetRawText();
        var archived = remote.TryGetProperty(EntityFields.IsArchived, out var a) && a.ValueKind == JsonValueKind.True;
        var createdAt = remote.TryGetProperty(EntityFields.CreatedAt, out var c) && c.ValueKind == JsonValueKind.String
            && c.TryGetDateTimeOffset(out var created) ? created.UtcTicks : updatedAt.UtcTicks;
        var other = IsOtherDevice(modifiedBy);
        var local = w.GetEntity(entityType, entityId);
        if (local is null)
        {
            // New here: the server's JSON is stored as it came (it carries the metadata already).
            w.PutEntity(new LocalEntity
            {
                EntityType = entityType,
                EntityId = entityId,
                DataJson = raw,
                ShadowJson = raw,
                SyncVersion = version,
                ServerVersion = version,
                CreatedAt = createdAt,
                UpdatedAt = updatedAt.UtcTicks,
                IsArchived = archived,
                LastSyncedAt = now,
                LastSyncedDeviceId = modifiedBy,
            });
            return other
                ? new RemoteChangeEventArgs(entityType, entityId, modifiedBy,
                    remote.EnumerateObject().Select(p => p.Name).Where(n => !EntityJson.IsDerived(n)).ToArray(), true, archived)
                : null;
        }

        if (version < local.ServerVersion)
        {
            // Older than what a push already told us; the newer state comes later in the sequence.
            return null;
        }

        var pending = _db.PendingCount == 0 ? [] : w.GetOutbox(entityType, entityId);
        List<string> changed;
        if (pending.Count == 0 && local.SyncVersion <= version)
        {
            // Nothing pending: the server's state is the truth, stored as it came.
            changed = other ? EntityJson.ChangedFields(local.Data, Rows.ParseObject(raw)) : [];
            local.DataJson = raw;
            local.SyncVersion = version;
            local.UpdatedAt = updatedAt.UtcTicks;
            local.IsArchived = archived;
        }
        else
        {
            var remoteObject = Rows.ParseObject(raw);
            var merged = pending.Count == 0
                ? remoteObject
                : PullMerger.Merge(local.Data, local.Shadow, remoteObject, new Stamp(version, updatedAt.UtcTicks, modifiedBy), pending, DeviceId);
            local.SyncVersion = Math.Max(local.SyncVersion, version);
            local.UpdatedAt = pending.Count == 0 ? updatedAt.UtcTicks : Math.Max(local.UpdatedAt, updatedAt.UtcTicks);
            local.IsArchived = EntityJson.IsArchived(merged);
            EntityJson.SetMetadata(merged, entityId, createdAt, local.UpdatedAt, local.SyncVersion, local.IsArchived);
            changed = EntityJson.ChangedFields(local.Data, merged);
            local.Data = merged;
        }

        local.ServerVersion = version;
        local.CreatedAt = createdAt;
        local.ShadowJson = raw;
        local.LastSyncedAt = now;
        local.LastSyncedDeviceId = modifiedBy;
        w.PutEntity(local);
        return changed.Count > 0 && other
            ? new RemoteChangeEventArgs(entityType, entityId, modifiedBy, changed, false, local.IsArchived)
            : null;
    }

    private bool IsOtherDevice(string deviceId) => !string.Equals(deviceId, DeviceId, StringComparison.Ordinal);
}
