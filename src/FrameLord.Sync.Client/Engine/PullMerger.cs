using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Engine;

/// <summary>
/// Merges a pulled entity into one that still has unpushed edits, as the server will merge them
/// (DESIGN 4, field-level LWW). A field both sides changed is contested: the local value stays when
/// its stamp (the pending change's sync_version, client time, this device) beats the remote stamp
/// (the pulled entity's sync_version, updated_at, modified_by_device), otherwise the remote value is
/// shown. Fields only one side changed are both kept. The pending changes stay in the outbox either
/// way: the server decides, and the push response and the pull after it settle the final state.
/// </summary>
internal static class PullMerger
{
    public static JsonObject Merge(
        JsonObject local, JsonObject? shadow, JsonObject remote, Stamp remoteStamp, IReadOnlyList<OutboxEntry> pending, string deviceId)
    {
        var result = (JsonObject)remote.DeepClone();
        foreach (var (name, stamp) in PendingFields(pending, deviceId))
        {
            var remoteChanged = !EntityJson.SameField(shadow, remote, name);
            if (!remoteChanged || stamp > remoteStamp)
            {
                result[name] = EntityJson.Field(local, name)?.DeepClone();
            }
        }

        return result;
    }

    /// <summary>Every field the pending entries set, with the stamp of the newest entry that sets it.</summary>
    public static Dictionary<string, Stamp> PendingFields(IReadOnlyList<OutboxEntry> pending, string deviceId)
    {
        var fields = new Dictionary<string, Stamp>(StringComparer.Ordinal);
        foreach (var entry in pending)
        {
            var stamp = new Stamp(entry.SyncVersion, entry.ClientTimestamp, deviceId);
            if (entry.Operation == Operations.Delete)
            {
                fields[EntityFields.IsArchived] = stamp;
            }

            if (entry.Data is null)
            {
                continue;
            }

            foreach (var (name, _) in entry.Data)
            {
                if (!EntityJson.IsDerived(name))
                {
                    fields[name] = stamp;
                }
            }
        }

        return fields;
    }
}
