using System.Globalization;
using System.Text.Json.Nodes;
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
        var cursor = _db.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT value FROM sync_meta WHERE key = $k;";
            command.Parameters.AddWithValue("$k", MetaKeys.Cursor);
            return command.ExecuteScalar() as string;
        });
        var total = 0;
        var resynced = false;
        Report(SyncPhase.Pull, 0, null);
        while (true)
        {
            PullResponse page;
            try
            {
                var request = new PullRequest { DeviceId = DeviceId, SchemaVersion = _options.SchemaVersion, Cursor = cursor, Limit = _options.PullPageSize };
                page = await AuthorizedAsync(token => _transport.PullAsync(request, token, cancellationToken), cancellationToken);
            }
            catch (SyncTransportException e) when (e.Code == ErrorCodes.ResyncRequired && !resynced)
            {
                resynced = true;
                cursor = null;
                continue;
            }

            var now = _time.GetUtcNow().UtcTicks;
            var events = await _db.WriteAsync(w =>
            {
                var raised = new List<RemoteChangeEventArgs>();
                foreach (var change in page.Changes)
                {
                    var remote = JsonNode.Parse(change.Data.GetRawText()) as JsonObject
                        ?? throw new SyncException($"The server sent {change.EntityType}/{change.EntityId} without an object.");
                    if (ApplyRemote(w, change.EntityType, change.EntityId, remote, change.SyncVersion, change.UpdatedAt, change.ModifiedByDevice, now) is { } e)
                    {
                        raised.Add(e);
                    }
                }

                _db.Fault(FaultPullBeforeCursor);
                w.SetMeta(MetaKeys.Cursor, page.Cursor);
                return raised;
            }, cancellationToken);

            foreach (var e in events)
            {
                EntityChangedRemotely?.Invoke(this, e);
            }

            _db.Fault(FaultPullAfterCommit);
            total += page.Changes.Count;
            cursor = page.Cursor;
            Report(SyncPhase.Pull, total, page.HasMore ? null : total);
            if (!page.HasMore)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Applies the server's state of an entity: as is when the device has nothing pending for it,
    /// otherwise merged with the pending edits as the server will merge them (<see cref="PullMerger"/>).
    /// Returns the notification to raise when another device's write changed what the app shows.
    /// </summary>
    private RemoteChangeEventArgs? ApplyRemote(
        LocalWriter w, string entityType, string entityId, JsonObject remote, long version, DateTimeOffset updatedAt, string modifiedBy, long now)
    {
        if (IsContactZero(entityType, entityId) || !EntityTypes.IsKnown(entityType))
        {
            return null;
        }

        var local = w.GetEntity(entityType, entityId);
        var createdAt = ParseTime(EntityJson.Field(remote, EntityFields.CreatedAt)) ?? updatedAt.UtcTicks;
        if (local is null)
        {
            var data = (JsonObject)remote.DeepClone();
            var archived = EntityJson.IsArchived(remote);
            EntityJson.SetMetadata(data, entityId, createdAt, updatedAt.UtcTicks, version, archived);
            w.PutEntity(new LocalEntity
            {
                EntityType = entityType,
                EntityId = entityId,
                Data = data,
                SyncVersion = version,
                ServerVersion = version,
                CreatedAt = createdAt,
                UpdatedAt = updatedAt.UtcTicks,
                IsArchived = archived,
                LastSyncedAt = now,
                LastSyncedDeviceId = modifiedBy,
                Shadow = remote,
            });
            return IsOtherDevice(modifiedBy)
                ? new RemoteChangeEventArgs(entityType, entityId, modifiedBy, EntityJson.ChangedFields([], data), true, archived)
                : null;
        }

        if (version < local.ServerVersion)
        {
            // Older than what a push already told us; the newer state comes later in the sequence.
            return null;
        }

        var pending = w.GetOutbox(entityType, entityId);
        var merged = pending.Count == 0
            ? (JsonObject)remote.DeepClone()
            : PullMerger.Merge(local.Data, local.Shadow, remote, new Stamp(version, updatedAt.UtcTicks, modifiedBy), pending, DeviceId);
        local.SyncVersion = Math.Max(local.SyncVersion, version);
        local.ServerVersion = version;
        local.UpdatedAt = pending.Count == 0 ? updatedAt.UtcTicks : Math.Max(local.UpdatedAt, updatedAt.UtcTicks);
        local.CreatedAt = createdAt;
        local.IsArchived = EntityJson.IsArchived(merged);
        EntityJson.SetMetadata(merged, entityId, local.CreatedAt, local.UpdatedAt, local.SyncVersion, local.IsArchived);
        var changed = EntityJson.ChangedFields(local.Data, merged);
        local.Data = merged;
        local.Shadow = remote;
        local.LastSyncedAt = now;
        local.LastSyncedDeviceId = modifiedBy;
        w.PutEntity(local);
        return changed.Count > 0 && IsOtherDevice(modifiedBy)
            ? new RemoteChangeEventArgs(entityType, entityId, modifiedBy, changed, false, local.IsArchived)
            : null;
    }

    private bool IsOtherDevice(string deviceId) => !string.Equals(deviceId, DeviceId, StringComparison.Ordinal);

    private static long? ParseTime(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            ? parsed.UtcTicks
            : null;
}
