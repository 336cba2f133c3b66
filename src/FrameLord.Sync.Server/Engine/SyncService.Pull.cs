using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class SyncService
{
    /// <summary>
    /// One page of the user's changes after the cursor, in commit order (DESIGN 3.3), at most
    /// <see cref="Configuration.LimitOptions.MaxPullPageBytes"/> of entities (at least one). A cursor from before a
    /// tombstone purge it has not passed answers 410 RESYNC_REQUIRED.
    /// </summary>
    private async Task<PullResponse> PullCoreAsync(string userId, PullRequest request, CancellationToken cancellationToken)
    {
        CheckSchema(request.SchemaVersion);
        CheckDeviceId(request.DeviceId);
        if (request.Limit is < 1)
        {
            throw ApiException.Validation("limit must be at least 1.");
        }

        var limit = Math.Min(request.Limit ?? _limits.DefaultPullLimit, _limits.MaxPullLimit);
        long afterSeq = 0;
        long horizon = 0;
        if (request.Cursor is not null && !Cursor.TryDecode(request.Cursor, out afterSeq, out horizon))
        {
            throw ApiException.Validation("cursor is not one this server issued.");
        }

        var now = _time.GetUtcNow();
        var since = request.Cursor is null ? request.LastSyncTimestamp : null;
        var page = await _store.ReadChangesAsync(userId, afterSeq, limit, _limits.MaxPullPageBytes, since, cancellationToken);

        // Stale: tombstones after the cursor were purged since the pulls that led to it began.
        var stale = request.Cursor is not null
            ? afterSeq < page.PurgedSeq && horizon < page.PurgedSeq
            : since is { } s && page.PurgedSeq > 0 && s < now - _options.TombstoneRetention;
        if (stale)
        {
            throw new ApiException(410, ErrorCodes.ResyncRequired,
                "Changes since this cursor include deleted entities that are no longer kept; pull again from the beginning.");
        }

        var changes = new PulledChange[page.Rows.Count];
        for (var i = 0; i < changes.Length; i++)
        {
            var row = page.Rows[i];
            changes[i] = new PulledChange
            {
                EntityType = row.EntityType,
                EntityId = row.EntityId,
                Operation = row.IsArchived ? Operations.Delete : Operations.Update,
                Data = JsonDocument.Parse(row.DataJson).RootElement,
                SyncVersion = row.SyncVersion,
                UpdatedAt = row.UpdatedAt,
                IsArchived = row.IsArchived,
                ModifiedByDevice = row.ModifiedByDevice,
            };
        }

        var last = page.Rows.Count > 0 ? page.Rows[^1].Seq : afterSeq;
        return new PullResponse
        {
            Changes = changes,
            // This pull passed the purge check against the current horizon, so its cursor carries that horizon.
            Cursor = Cursor.Encode(last, Math.Max(horizon, page.PurgedSeq)),
            HasMore = page.HasMore,
            SyncTimestamp = now,
            // Every change after this page has a seq above the last one and at most the user's change seq.
            Remaining = page.HasMore ? Math.Max(1, page.ChangeSeq - last) : 0,
        };
    }
}
