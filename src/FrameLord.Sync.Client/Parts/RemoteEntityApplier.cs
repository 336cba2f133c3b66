using System.Text.Json;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// Applies the server's state of an entity inside a write (a pulled change, a resolved conflict): as is
/// when the device has nothing pending for it, otherwise merged with the pending edits as the server will
/// merge them (<see cref="PullMerger"/>). Contact Zero and unknown types are left alone.
/// </summary>
internal sealed class RemoteEntityApplier(DeviceIdentity identity)
{
    /// <summary>Returns the notification to raise when another device's write changed what the app shows.</summary>
    public RemoteChangeEventArgs? Apply(
        LocalWriter w, string entityType, string entityId, JsonElement remote, long version, DateTimeOffset updatedAt, string modifiedBy, long now)
    {
        if (identity.IsContactZero(entityType, entityId) || !EntityTypes.IsKnown(entityType) || remote.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var raw = remote.GetRawText();
        var archived = remote.TryGetProperty(EntityFields.IsArchived, out var a) && a.ValueKind == JsonValueKind.True;
        var createdAt = remote.TryGetProperty(EntityFields.CreatedAt, out var c) && c.ValueKind == JsonValueKind.String
            && c.TryGetDateTimeOffset(out var created) ? created.UtcTicks : updatedAt.UtcTicks;
        var other = identity.IsOtherDevice(modifiedBy);
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

        var pending = w.Database.PendingCount == 0 ? [] : w.GetOutbox(entityType, entityId);
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
                : PullMerger.Merge(local.Data, local.Shadow, remoteObject, new Stamp(version, updatedAt.UtcTicks, modifiedBy), pending, identity.DeviceId);
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
}
