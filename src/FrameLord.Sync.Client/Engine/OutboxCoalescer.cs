using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Engine;

/// <summary>What coalescing did to the outbox.</summary>
internal enum CoalesceOutcome
{
    /// <summary>A new entry was made.</summary>
    Inserted,

    /// <summary>The open entry was changed in place.</summary>
    Updated,

    /// <summary>The open entry was removed: the edits cancel out (create then delete).</summary>
    Removed,

    /// <summary>Nothing to push: a delete of an entity the server never had and nothing queued for it.</summary>
    Nothing,
}

/// <summary>
/// Coalesces a local edit into the entity's open outbox entry (DESIGN 2): create+update = create,
/// update+update = merged patch (later values win), create+delete = nothing, delete+restore = an update.
/// A delete is the field <c>is_archived = true</c> (DESIGN 4.4), so update+delete and delete+update are
/// one update of the edited fields and <c>is_archived: true</c>: the server keeps the edits on the
/// archived entity and a restore anywhere brings them back. A delete without field edits stays a
/// <c>delete</c>. An entry is open when it was not yet taken into a batch and was
/// made from the server version the device still knows: after a pull moved that version on, or once
/// the entry was sent, a new edit makes a new entry, so a batch resent with the same change ids stays
/// idempotent and an edit made before a pull never takes the stamp of one made after it.
/// </summary>
internal static class OutboxCoalescer
{
    public static bool IsOpen(OutboxEntry? entry, long serverVersion) =>
        entry is not null && !entry.Sent && entry.BaseVersion == serverVersion;

    /// <summary>
    /// Takes <paramref name="edit"/> into the outbox whose newest entry for the entity is <paramref name="last"/>.
    /// The server version the device knows is the edit's <see cref="LocalEdit.BaseVersion"/>. When the server
    /// never had the entity (version 0) and nothing is queued for it (a create cancelled by a delete, or
    /// refused), a delete has nothing to say and any other edit re-creates the entity from
    /// <paramref name="localEntity"/>, the device's full entity after the edit.
    /// </summary>
    public static (CoalesceOutcome Outcome, OutboxEntry? Entry) Enqueue(
        OutboxEntry? last, LocalEdit edit, JsonObject localEntity, string entityType, string entityId, Func<(long Seq, string ChangeId)> nextId)
    {
        if (edit.BaseVersion == 0 && last is null && edit.Kind != EditKind.Create)
        {
            if (edit.Kind == EditKind.Delete)
            {
                return (CoalesceOutcome.Nothing, null);
            }

            edit = edit with { Kind = EditKind.Create, Data = EntityJson.Pushable(localEntity) };
        }

        var open = IsOpen(last, edit.BaseVersion) ? last : null;
        return Coalesce(open, edit, entityType, entityId, nextId);
    }

    /// <summary>Applies <paramref name="edit"/> to <paramref name="open"/> (or to a new entry when it is null).</summary>
    public static (CoalesceOutcome Outcome, OutboxEntry Entry) Coalesce(
        OutboxEntry? open, LocalEdit edit, string entityType, string entityId, Func<(long Seq, string ChangeId)> nextId)
    {
        if (open is null)
        {
            var (seq, changeId) = nextId();
            var entry = new OutboxEntry
            {
                Seq = seq,
                ChangeId = changeId,
                EntityType = entityType,
                EntityId = entityId,
                Operation = edit.Kind switch
                {
                    EditKind.Create => Operations.Create,
                    EditKind.Delete => Operations.Delete,
                    _ => Operations.Update,
                },
                Data = edit.Kind switch
                {
                    EditKind.Create or EditKind.Update => Clone(edit.Data),
                    EditKind.Restore => Restored(null),
                    _ => null,
                },
                ClientTimestamp = edit.ClientTimestamp,
                SyncVersion = edit.SyncVersion,
                BaseVersion = edit.BaseVersion,
            };
            return (CoalesceOutcome.Inserted, entry);
        }

        switch (open.Operation, edit.Kind)
        {
            case (Operations.Create, EditKind.Delete):
                return (CoalesceOutcome.Removed, open);
            case (Operations.Create, EditKind.Update):
                open.Data = EntityJson.Merge(open.Data, edit.Data);
                break;
            case (Operations.Create, EditKind.Restore):
                open.Data = Restored(open.Data);
                break;
            case (Operations.Update, EditKind.Update):
                open.Data = EntityJson.Merge(open.Data, edit.Data);
                break;
            case (Operations.Update, EditKind.Restore):
                open.Data = Restored(open.Data);
                break;
            case (Operations.Update, EditKind.Delete):
                Archive(open, open.Data);
                break;
            case (Operations.Delete, EditKind.Restore):
                open.Operation = Operations.Update;
                open.Data = Restored(null);
                break;
            case (Operations.Delete, EditKind.Update):
                Archive(open, Clone(edit.Data));
                break;
            case (Operations.Delete, EditKind.Delete):
                break;
            default:
                throw new InvalidOperationException($"Cannot coalesce {edit.Kind} into an open {open.Operation} of {entityType}/{entityId}.");
        }

        open.SyncVersion = edit.SyncVersion;
        open.ClientTimestamp = edit.ClientTimestamp;
        return (CoalesceOutcome.Updated, open);
    }

    private static JsonObject? Clone(JsonObject? data) => data is null ? null : (JsonObject)data.DeepClone();

    private static JsonObject Restored(JsonObject? data)
    {
        var result = EntityJson.Merge(data, null);
        result[EntityFields.IsArchived] = false;
        return result;
    }

    /// <summary>Makes <paramref name="entry"/> archive the entity along with <paramref name="fields"/>: an update when there are fields, else a bare delete.</summary>
    private static void Archive(OutboxEntry entry, JsonObject? fields)
    {
        fields?.Remove(EntityFields.IsArchived);
        if (fields is null || fields.Count == 0)
        {
            entry.Operation = Operations.Delete;
            entry.Data = null;
            return;
        }

        fields[EntityFields.IsArchived] = true;
        entry.Operation = Operations.Update;
        entry.Data = fields;
    }
}
