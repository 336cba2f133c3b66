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
    public async Task<PushResponse> PushAsync(string userId, PushRequest request, CancellationToken cancellationToken)
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

        var recorded = await session.LoadOutcomesAsync(deviceId, changeIds, cancellationToken);

        var keys = new HashSet<EntityKey>();
        foreach (var change in request.Changes)
        {
            if (!recorded.ContainsKey(change.ChangeId ?? "") && EntityTypes.IsKnown(change.EntityType)
                && ChangeValidator.IsValidId(change.EntityId, _limits.MaxIdLength))
            {
                keys.Add(new EntityKey(change.EntityType, change.EntityId));
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

        for (var i = 0; i < request.Changes.Count; i++)
        {
            var change = request.Changes[i];
            RecordedOutcome? outcome = null;
            if (change.ChangeId is not null && recorded.TryGetValue(change.ChangeId, out var row))
            {
                outcome = JsonSerializer.Deserialize(row.OutcomeJson, ServerJsonContext.Default.RecordedOutcome);
            }
            else if (change.ChangeId is not null && outcomes.TryGetValue(change.ChangeId, out var earlier))
            {
                outcome = earlier;
            }

            if (outcome is null)
            {
                outcome = ApplyChange(change, validated[i], deviceId, session.User, states, dirty, writes, now);
                if (ChangeValidator.IsValidId(change.ChangeId, _limits.MaxIdLength))
                {
                    outcomes[change.ChangeId] = outcome;
                    writes.Outcomes.Add(new OutcomeRow(deviceId, change.ChangeId,
                        JsonSerializer.Serialize(outcome, ServerJsonContext.Default.RecordedOutcome), now));
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

            if (outcome.Conflict is { } conflict)
            {
                conflicts.Add(conflict);
            }
        }

        var seq = session.CurrentSeq;
        foreach (var key in dirty.Order)
        {
            writes.Entities.Add(states[key].ToRow(++seq, now, dirty.Data[key]));
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
        Dictionary<EntityKey, EntityState> states, Dirty dirty, WriteSet writes, DateTimeOffset now)
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
        var result = _merger.Apply(current, valid, _options.ConflictPolicy);
        var data = result.State.WriteData();
        if (data.Length > _limits.MaxEntityBytes)
        {
            return Failed(change, ChangeValidator.Fail(ErrorCodes.EntityTooLarge,
                $"The entity would be {data.Length} bytes of JSON; the limit is {_limits.MaxEntityBytes}."));
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
            conflict = BuildConflict(valid, deviceId, result, data, now);
            writes.NewConflicts.Add(new ConflictRow(
                conflict.ConflictId, deviceId, valid.ChangeId, valid.EntityType, valid.EntityId, result.NeedsReview,
                result.NeedsReview ? ConflictStatuses.Open : ConflictStatuses.AutoResolved, now, null,
                JsonSerializer.Serialize(conflict, ServerJsonContext.Default.Conflict)));
        }

        return new RecordedOutcome { Succeeded = succeeded, Conflict = conflict };
    }

    private Conflict BuildConflict(ValidatedChange change, string deviceId, MergeResult result, byte[] winner, DateTimeOffset now)
    {
        var won = result.Contested.Count(c => c.LocalWon);
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
            Winner = JsonDocument.Parse(winner).RootElement,
            Local = ChangeMerger.ToObject(result.Contested.Select(c => KeyValuePair.Create(c.Name, c.Local))),
            Remote = ChangeMerger.ToObject(result.Contested.Select(c => KeyValuePair.Create(c.Name, c.Remote))),
            DeviceId = deviceId,
            CreatedAt = now,
        };
    }

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

    /// <summary>Entities changed by a batch, in the order they were first changed, with their latest JSON.</summary>
    private sealed class Dirty
    {
        public List<EntityKey> Order { get; } = [];

        public Dictionary<EntityKey, byte[]> Data { get; } = [];
    }
}
