using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class SyncService
{
    /// <summary>
    /// Applies a batch in one transaction (DESIGN 3.2, 4). Per-change failures are outcomes, not
    /// exceptions; whole-request problems throw <see cref="ApiException"/> before anything is written.
    /// </summary>
    private async Task<PushResponse> PushCoreAsync(string userId, PushRequest request, CancellationToken cancellationToken)
    {
        CheckSchema(request.SchemaVersion);
        CheckDeviceId(request.DeviceId);
        if (request.Changes is null)
        {
            throw ApiException.Validation("changes is required.");
        }

        if (request.Changes.Count > _limits.MaxChangesPerPush)
        {
            throw ApiException.Validation($"A push carries at most {_limits.MaxChangesPerPush} changes; this one has {request.Changes.Count}.");
        }

        for (var i = 0; i < request.Changes.Count; i++)
        {
            if (request.Changes[i] is null)
            {
                throw ApiException.Validation($"changes[{i}] is null.");
            }
        }

        var deviceId = request.DeviceId;
        // Everything that needs no stored state happens before the write lock is taken.
        var validated = new (ValidatedChange? Change, ErrorBody? Error)[request.Changes.Count];
        for (var i = 0; i < validated.Length; i++)
        {
            validated[i] = ChangeValidator.Validate(request.Changes[i], deviceId, _limits);
        }

        await using var session = await _store.BeginWriteAsync(userId, cancellationToken);
        var now = _time.GetUtcNow();

        var changeIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in request.Changes)
        {
            if (ChangeValidator.IsValidId(change.ChangeId, _limits.MaxIdLength))
            {
                changeIds.Add(change.ChangeId);
            }
        }

        var recorded = new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal);
        foreach (var (id, row) in await session.LoadOutcomesAsync(deviceId, changeIds, cancellationToken))
        {
            recorded[id] = JsonSerializer.Deserialize(row.OutcomeJson, ServerJsonContext.Default.RecordedOutcome)!;
        }

        var keys = new HashSet<EntityKey>();
        foreach (var change in request.Changes)
        {
            if (!recorded.ContainsKey(change.ChangeId ?? "") && EntityTypes.IsKnown(change.EntityType)
                && ChangeValidator.IsValidId(change.EntityId, _limits.MaxIdLength))
            {
                keys.Add(new EntityKey(change.EntityType, change.EntityId));
            }
        }

        // A replayed conflict answers with the entity as it is now (its record keeps no winner).
        foreach (var outcome in recorded.Values)
        {
            if (outcome.Conflict is { } replayed)
            {
                keys.Add(new EntityKey(replayed.EntityType, replayed.EntityId));
            }
        }

        var rows = await session.LoadEntitiesAsync(keys, cancellationToken);
        var states = new Dictionary<EntityKey, EntityState>(keys.Count);
        foreach (var (key, row) in rows)
        {
            states[key] = EntityState.FromRow(row);
        }

        var dirty = new Dirty();
        var writes = new WriteSet();
        var outcomes = new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal);
        var successful = new List<ChangeSucceeded>(request.Changes.Count);
        var failed = new List<ChangeFailed>();
        var conflicts = new List<Conflict>();
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var fresh = new List<RecordedOutcome>();
        var groups = new Dictionary<EntityKey, ConflictGroup>();

        for (var i = 0; i < request.Changes.Count; i++)
        {
            var change = request.Changes[i];
            RecordedOutcome? outcome = null;
            if (change.ChangeId is not null && recorded.TryGetValue(change.ChangeId, out var replay))
            {
                outcome = replay;
            }
            else if (change.ChangeId is not null && outcomes.TryGetValue(change.ChangeId, out var earlier))
            {
                outcome = earlier;
            }

            if (outcome is null)
            {
                outcome = ApplyChange(change, validated[i], deviceId, session.User, states, dirty, groups, now);
                if (ChangeValidator.IsValidId(change.ChangeId, _limits.MaxIdLength))
                {
                    outcomes[change.ChangeId] = outcome;
                    fresh.Add(outcome);
                }
            }

            if (outcome.Succeeded is { } ok)
            {
                successful.Add(ok);
            }
            else if (outcome.Failed is { } bad)
            {
                failed.Add(bad);
            }

            // A change id repeated in the request, or replayed, answers its conflict once: repeats
            // would otherwise copy its values once per repeat.
            if (outcome.Conflict is { } conflict && answered.Add(conflict.ConflictId))
            {
                conflicts.Add(conflict);
            }
        }

        RecordConflicts(groups, fresh, dirty, deviceId, writes, now);
        AttachWinners(conflicts, dirty, rows);

        var seq = session.CurrentSeq;
        foreach (var key in dirty.Order)
        {
            seq = checked(seq + 1);
            writes.Entities.Add(states[key].ToRow(seq, now, dirty.Data[key]));
        }

        writes.NewSeq = seq;
        if (!writes.IsEmpty)
        {
            await session.SaveAsync(writes, cancellationToken);
            await session.CommitAsync(cancellationToken);
            if (writes.Entities.Count > 0)
            {
                EntitiesChanged?.Invoke(userId, Cursor.Encode(writes.NewSeq));
            }
        }

        return new PushResponse { Successful = successful, Failed = failed, Conflicts = conflicts };
    }

    private RecordedOutcome ApplyChange(
        Change change, (ValidatedChange? Change, ErrorBody? Error) validation, string deviceId, UserRecord user,
        Dictionary<EntityKey, EntityState> states, Dirty dirty, Dictionary<EntityKey, ConflictGroup> groups, DateTimeOffset now)
    {
        if (validation.Change is not { } valid)
        {
            return Failed(change, validation.Error!);
        }

        if (ChangeValidator.IsContactZero(valid.EntityType, valid.EntityId, user.ContactZeroId))
        {
            return Failed(change, ChangeValidator.ContactZero());
        }

        var key = new EntityKey(valid.EntityType, valid.EntityId);
        var current = states.TryGetValue(key, out var existing) ? existing : EntityState.New(valid.EntityType, valid.EntityId);
        if (current.Version >= ChangeValidator.MaxVersion)
        {
            // Rows written before versions were bounded may hold anything up to long.MaxValue.
            return Failed(change, ChangeValidator.VersionExhausted());
        }

        var result = _merger.Apply(current, valid, _options.ConflictPolicy);
        if (result.State.Version > ChangeValidator.MaxVersion)
        {
            return Failed(change, ChangeValidator.VersionExhausted());
        }

        var data = result.State.WriteData();
        if (StoredSize(result.State, data) is var size && size > _limits.MaxEntityBytes)
        {
            return Failed(change, ChangeValidator.Fail(ErrorCodes.EntityTooLarge,
                $"The entity would store {size} bytes (its JSON and per-field stamps); the limit is {_limits.MaxEntityBytes}."));
        }

        if (dirty.Data.TryAdd(key, data))
        {
            dirty.Order.Add(key);
        }
        else
        {
            dirty.Data[key] = data;
        }

        states[key] = result.State;

        var succeeded = new ChangeSucceeded
        {
            ChangeId = valid.ChangeId,
            EntityType = valid.EntityType,
            EntityId = valid.EntityId,
            SyncVersion = result.State.Version,
        };

        Conflict? conflict = null;
        if (result.Contested.Count > 0)
        {
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = new ConflictGroup(valid.ChangeId);
            }

            conflict = BuildConflict(valid, deviceId, result, group, now);
            group.Conflicts.Add(conflict.ConflictId);
        }

        return new RecordedOutcome { Succeeded = succeeded, Conflict = conflict };
    }

    /// <summary>
    /// A conflict without its winner (<see cref="RecordConflicts"/> adds it once per entity). Values the change
    /// met that an earlier conflict of the same entity in this push already carries are left out of
    /// <c>remote</c>: within one push every repeat of a field meets the same stamp, hence the same value.
    /// </summary>
    private Conflict BuildConflict(ValidatedChange change, string deviceId, MergeResult result, ConflictGroup group, DateTimeOffset now)
    {
        var won = result.Contested.Count(c => c.LocalWon);
        var first = group.Conflicts.Count == 0;
        var remote = new List<KeyValuePair<string, JsonElement>>(result.Contested.Count);
        foreach (var contested in result.Contested)
        {
            if (group.RemoteCarried.Add((contested.Name, contested.RemoteStamp)))
            {
                remote.Add(KeyValuePair.Create(contested.Name, contested.Remote));
            }
        }

        return new Conflict
        {
            ConflictId = _ids.NewId("cfl"),
            ChangeId = change.ChangeId,
            EntityType = change.EntityType,
            EntityId = change.EntityId,
            Fields = result.Contested.Select(c => c.Name).ToArray(),
            Resolution = won == result.Contested.Count ? ConflictResolutions.LocalWon
                : won == 0 ? ConflictResolutions.RemoteWon : ConflictResolutions.Mixed,
            NeedsReview = result.NeedsReview,
            WinnerRef = first ? null : group.CarrierChangeId,
            Local = ChangeMerger.ToObject(result.Contested.Select(c => KeyValuePair.Create(c.Name, c.Local))),
            Remote = ChangeMerger.ToObject(remote),
            DeviceId = deviceId,
            CreatedAt = now,
        };
    }

    /// <summary>What the store keeps for an entity: its JSON and its per-field stamps (DESIGN 8's entity limit bounds both).</summary>
    private static long StoredSize(EntityState state, byte[] data) =>
        data.Length + (long)System.Text.Encoding.UTF8.GetByteCount(state.WriteStamps());

    private static RecordedOutcome Failed(Change change, ErrorBody error) => new()
    {
        Failed = new ChangeFailed
        {
            ChangeId = change.ChangeId ?? "",
            EntityType = change.EntityType ?? "",
            EntityId = change.EntityId ?? "",
            Error = error,
        },
    };

    /// <summary>
    /// Bounds what a push answers and stores (DESIGN 3.4): the answer's first conflict of each entity carries
    /// the entity after the whole push as <c>winner</c>, later ones name it in <c>winner_ref</c>; the stored
    /// record keeps the winner's contested fields only, and the recorded outcome (what a replay answers) no
    /// winner at all. So neither grows with changes × entity size.
    /// </summary>
    private static void RecordConflicts(
        Dictionary<EntityKey, ConflictGroup> groups, List<RecordedOutcome> fresh, Dirty dirty,
        string deviceId, WriteSet writes, DateTimeOffset now)
    {
        var carriers = new Dictionary<string, EntityKey>(StringComparer.Ordinal);
        foreach (var (key, group) in groups)
        {
            carriers[group.Conflicts[0]] = key;
        }

        foreach (var outcome in fresh)
        {
            if (outcome.Conflict is { } conflict)
            {
                var stored = carriers.TryGetValue(conflict.ConflictId, out var key)
                    ? conflict with { Winner = ContestedOnly(conflict.Fields, dirty.Data[key]) }
                    : conflict;
                writes.NewConflicts.Add(new ConflictRow(
                    conflict.ConflictId, deviceId, conflict.ChangeId, conflict.EntityType, conflict.EntityId, conflict.NeedsReview,
                    conflict.NeedsReview ? ConflictStatuses.Open : ConflictStatuses.AutoResolved, now, null,
                    JsonSerializer.Serialize(stored, ServerJsonContext.Default.Conflict)));
            }

            writes.Outcomes.Add(new OutcomeRow(deviceId, outcome.Succeeded?.ChangeId ?? outcome.Failed!.ChangeId,
                JsonSerializer.Serialize(outcome, ServerJsonContext.Default.RecordedOutcome), now));
        }
    }

    /// <summary>
    /// The answer's first conflict of each entity carries the entity as this push leaves it; later ones of that
    /// entity name that conflict's change in <c>winner_ref</c> instead (DESIGN 3.4).
    /// </summary>
    private static void AttachWinners(List<Conflict> answer, Dirty dirty, IReadOnlyDictionary<EntityKey, EntityRow> loaded)
    {
        var carriers = new Dictionary<EntityKey, string>();
        for (var i = 0; i < answer.Count; i++)
        {
            var conflict = answer[i];
            var key = new EntityKey(conflict.EntityType, conflict.EntityId);
            if (carriers.TryGetValue(key, out var carrier))
            {
                answer[i] = conflict with { Winner = null, WinnerRef = carrier };
                continue;
            }

            JsonElement? winner = dirty.Data.TryGetValue(key, out var data) ? JsonDocument.Parse(data).RootElement
                : loaded.TryGetValue(key, out var row) ? JsonDocument.Parse(row.DataJson).RootElement
                : null;
            if (winner is not null)
            {
                carriers[key] = conflict.ChangeId;
            }

            answer[i] = conflict with { Winner = winner, WinnerRef = null };
        }
    }

    /// <summary>The winner's values of the contested fields only (the entity itself is pull's to bring).</summary>
    private static JsonElement ContestedOnly(IReadOnlyList<string> fields, byte[] entity)
    {
        var root = JsonDocument.Parse(entity).RootElement;
        var values = new List<KeyValuePair<string, JsonElement>>(fields.Count);
        foreach (var name in fields)
        {
            if (root.TryGetProperty(name, out var value))
            {
                values.Add(KeyValuePair.Create(name, value));
            }
        }

        return ChangeMerger.ToObject(values);
    }

    /// <summary>The conflicts one push records for one entity, in change order, and the met values they already carry.</summary>
    private sealed class ConflictGroup(string carrierChangeId)
    {
        public string CarrierChangeId { get; } = carrierChangeId;

        public List<string> Conflicts { get; } = [];

        public HashSet<(string Field, FieldStamp Stamp)> RemoteCarried { get; } = [];
    }

    /// <summary>Entities changed by a batch, in the order they were first changed, with their latest JSON.</summary>
    private sealed class Dirty
    {
        public List<EntityKey> Order { get; } = [];

        public Dictionary<EntityKey, byte[]> Data { get; } = [];
    }
}
