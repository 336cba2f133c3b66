using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// Local writes and the outbox (DESIGN 5.1): an entity and its outbox entry commit in one transaction,
/// then the call returns. It also keeps the clock of writes not yet pushed (entities and note bodies),
/// which sets when the loop's debounced push is due, and wakes the loop when a write queued something.
/// </summary>
internal sealed class EntityWriter(
    LocalDatabase db, TimeProvider time, SyncClientOptions options, DeviceIdentity identity, SyncTrigger trigger, SyncStatusTracker status)
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _firstUnpushedWriteAt;
    private DateTimeOffset _lastWriteAt;

    /// <summary>Outbox entries or note bodies with edits the server does not have yet: the loop's debounced push is due.</summary>
    public bool HasUnsentWork => db.PendingCount > 0 || db.UnsyncedDocuments > 0;

    /// <summary>When the last local write (entity or note body) was made.</summary>
    public DateTimeOffset LastWriteAt
    {
        get
        {
            lock (_lock)
            {
                return _lastWriteAt;
            }
        }
    }

    /// <summary>When the debounced push of unsent work is due (<paramref name="now"/> when no write since the last step set it).</summary>
    public DateTimeOffset PushDueAt(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _firstUnpushedWriteAt is { } first
                ? Min(_lastWriteAt + options.DebounceDelay, first + options.MaxDebounceDelay)
                : now;
        }
    }

    /// <summary>After a successful step: what is still unsent counts from the last write, not the first.</summary>
    public void SettleAfterStep()
    {
        var unsent = HasUnsentWork;
        lock (_lock)
        {
            _firstUnpushedWriteAt = unsent ? _lastWriteAt : null;
        }
    }

    /// <summary>A local edit was committed (an entity's or a note body's): the debounced push is armed and the loop looks again.</summary>
    public void NoteQueued(DateTimeOffset now)
    {
        lock (_lock)
        {
            _firstUnpushedWriteAt ??= now;
            _lastWriteAt = now;
        }

        trigger.Wake();
    }

    /// <summary>
    /// One local write: <paramref name="build"/> gives the entity's new full data (create, update); delete and
    /// restore take none. Returns the entity as stored.
    /// </summary>
    public async Task<LocalEntity> WriteAsync(
        string entityType, string entityId, EditKind kind, Func<LocalEntity?, JsonObject>? build, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (entity, queued) = await db.WriteAsync(w => Write(w, entityType, entityId, kind, build, now.UtcTicks), cancellationToken);
        if (queued)
        {
            NoteQueued(now);
        }

        status.Refresh();
        return entity;
    }

    private (LocalEntity Entity, bool Queued) Write(
        LocalWriter w, string entityType, string entityId, EditKind kind, Func<LocalEntity?, JsonObject>? build, long now)
    {
        var entity = w.GetEntity(entityType, entityId);
        if (kind == EditKind.Create)
        {
            if (entity is not null)
            {
                throw new InvalidOperationException($"{entityType}/{entityId} already exists.");
            }

            var data = build!(null);
            entity = new LocalEntity
            {
                EntityType = entityType,
                EntityId = entityId,
                Data = data,
                SyncVersion = 1,
                CreatedAt = now,
                UpdatedAt = now,
                IsContactZero = identity.IsContactZero(entityType, entityId),
            };
            EntityJson.SetMetadata(data, entityId, now, now, 1, false);
            data.Remove(EntityFields.IsContactZero);
            if (entity.IsContactZero)
            {
                data[EntityFields.IsContactZero] = true;
            }

            w.PutEntity(entity);
            return (entity, !entity.IsContactZero && Enqueue(w, entity, new LocalEdit(EditKind.Create, EntityJson.Pushable(data), 1, now, 0)));
        }

        if (entity is null)
        {
            throw new KeyNotFoundException($"{entityType}/{entityId} does not exist on this device.");
        }

        if (entity.IsContactZero && kind == EditKind.Delete)
        {
            throw new InvalidOperationException("Contact Zero is the user's own identity and cannot be deleted.");
        }

        var edits = new List<(EditKind Kind, JsonObject? Patch)>(2);
        switch (kind)
        {
            case EditKind.Update:
                var patch = EntityJson.Diff(entity.Data, build!(entity));
                // Archiving through an update is a delete or a restore, so the outbox coalesces it as one.
                if (patch.Remove(EntityFields.IsArchived, out var archived) && archived is JsonValue a && a.TryGetValue<bool>(out var flag)
                    && flag != entity.IsArchived)
                {
                    if (flag && patch.Count > 0)
                    {
                        edits.Add((EditKind.Update, patch));
                    }

                    edits.Add((flag ? EditKind.Delete : EditKind.Restore, null));
                    if (!flag && patch.Count > 0)
                    {
                        edits.Add((EditKind.Update, patch));
                    }
                }
                else if (patch.Count > 0)
                {
                    edits.Add((EditKind.Update, patch));
                }

                break;
            case EditKind.Delete when !entity.IsArchived:
            case EditKind.Restore when entity.IsArchived:
                edits.Add((kind, null));
                break;
        }

        var queued = false;
        foreach (var (editKind, patch) in edits)
        {
            entity.SyncVersion++;
            entity.UpdatedAt = now;
            EntityJson.Apply(entity.Data, patch);
            if (editKind is EditKind.Delete or EditKind.Restore)
            {
                entity.IsArchived = editKind == EditKind.Delete;
            }

            EntityJson.SetMetadata(entity.Data, entityId, entity.CreatedAt, now, entity.SyncVersion, entity.IsArchived);
            if (!entity.IsContactZero)
            {
                queued |= Enqueue(w, entity, new LocalEdit(editKind, patch, entity.SyncVersion, now, entity.ServerVersion));
            }
        }

        if (edits.Count > 0)
        {
            w.PutEntity(entity);
        }

        return (entity, queued);
    }

    /// <summary>Adds the edit to the outbox, coalescing it into the entity's open entry. False when nothing is left to push.</summary>
    private static bool Enqueue(LocalWriter w, LocalEntity entity, LocalEdit edit)
    {
        var last = w.GetLastOutbox(entity.EntityType, entity.EntityId);
        var (outcome, entry) = OutboxCoalescer.Enqueue(last, edit, entity.Data, entity.EntityType, entity.EntityId, w.NextChangeId);
        switch (outcome)
        {
            case CoalesceOutcome.Inserted:
                w.InsertOutbox(entry!);
                return true;
            case CoalesceOutcome.Updated:
                w.UpdateOutbox(entry!);
                return true;
            case CoalesceOutcome.Removed:
                w.DeleteOutbox(entry!.Seq);
                return false;
            default:
                return false;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
