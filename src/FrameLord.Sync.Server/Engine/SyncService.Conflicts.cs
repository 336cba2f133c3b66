using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class SyncService
{
    /// <summary>The first page of the user's conflicts (default size): <c>open</c> (default) or <c>all</c>.</summary>
    public Task<ConflictList> ListConflictsAsync(string userId, string? status, CancellationToken cancellationToken) =>
        ListConflictsAsync(userId, status, null, null, cancellationToken);

    /// <summary>
    /// One page of the user's conflicts, oldest first (DESIGN 3.4): <c>open</c> (default) or <c>all</c>,
    /// <paramref name="limit"/> of them (default <see cref="LimitOptions.DefaultConflictsLimit"/>, capped at
    /// <see cref="LimitOptions.MaxConflictsLimit"/>), after <paramref name="cursor"/> when given.
    /// </summary>
    public async Task<ConflictList> ListConflictsAsync(
        string userId, string? status, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var openOnly = status switch
        {
            null or ConflictStatuses.Open => true,
            ConflictStatuses.All => false,
            _ => throw ApiException.Validation("status must be open or all."),
        };

        if (limit is < 1)
        {
            throw ApiException.Validation("limit must be at least 1.");
        }

        ConflictPosition? after = null;
        if (cursor is not null && !ConflictCursor.TryDecode(cursor, _limits.MaxIdLength, out after))
        {
            throw ApiException.Validation("cursor is not one this server issued.");
        }

        var size = Math.Min(limit ?? _limits.DefaultConflictsLimit, _limits.MaxConflictsLimit);
        // One row past the page says whether another page follows.
        var rows = await _store.ListConflictsAsync(userId, openOnly, size + 1, after, cancellationToken);
        var hasMore = rows.Count > size;
        var page = hasMore ? rows.Take(size).ToArray() : rows.ToArray();
        var last = page.Length > 0 ? new ConflictPosition(page[^1].CreatedAt, page[^1].ConflictId) : after;
        return new ConflictList
        {
            Conflicts = page.Select(ToConflict).ToArray(),
            Cursor = last is null ? null : ConflictCursor.Encode(last),
            HasMore = hasMore,
        };
    }

    private static Conflict ToConflict(ConflictRow row) =>
        JsonSerializer.Deserialize(row.ConflictJson, ServerJsonContext.Default.Conflict)! with { Status = row.Status };

    /// <summary>
    /// Writes the chosen values with a stamp above both sides (DESIGN 4.5) and marks the conflict
    /// resolved. Another user's conflict id answers 404, exactly like an unknown one.
    /// </summary>
    public async Task<ResolveConflictResponse> ResolveConflictAsync(
        string userId, string conflictId, ResolveConflictRequest request, CancellationToken cancellationToken)
    {
        CheckDeviceId(request.DeviceId);
        if (request.Choice is not (ResolutionChoices.KeepLocal or ResolutionChoices.UseRemote or ResolutionChoices.Merged))
        {
            throw ApiException.Validation("choice must be keep_local, use_remote or merged.");
        }

        if (request.Choice == ResolutionChoices.Merged
            && request.Data is not { ValueKind: JsonValueKind.Object } || request.Data is { } given && !JsonValues.IsWellFormed(given))
        {
            throw ApiException.Validation("data must be an object of well-formed text for a merged resolution.");
        }

        if (!ChangeValidator.IsValidId(conflictId, _limits.MaxIdLength))
        {
            throw ApiException.NotFound("No such conflict.");
        }

        await using var session = await _store.BeginWriteAsync(userId, cancellationToken);
        var row = await session.LoadConflictAsync(conflictId, cancellationToken) ?? throw ApiException.NotFound("No such conflict.");
        var conflict = ToConflict(row);
        var values = request.Choice switch
        {
            ResolutionChoices.KeepLocal => conflict.Local,
            ResolutionChoices.UseRemote => conflict.Remote,
            _ => request.Data!.Value,
        };

        var now = _time.GetUtcNow();
        var key = new EntityKey(conflict.EntityType, conflict.EntityId);
        var rows = await session.LoadEntitiesAsync([key], cancellationToken);
        var current = rows.TryGetValue(key, out var entityRow) ? EntityState.FromRow(entityRow) : EntityState.New(key.EntityType, key.EntityId);

        var createdAt = current.Exists ? current.CreatedAt : now;
        var fields = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in values.EnumerateObject())
        {
            var error = ChangeValidator.CheckField(key.EntityType, key.EntityId, property, ref createdAt);
            if (error is not null)
            {
                throw new ApiException(400, error.Code, error.Message);
            }

            if (!EntityState.IsDerived(property.Name))
            {
                fields.Add(new(property.Name, property.Value));
            }
        }

        // A stamp above everything stored (the entity's version bounds every stamp it holds) and a
        // base version of the current one: the resolution wins everywhere and contests nothing.
        var version = current.Version + 1;
        var resolution = new ValidatedChange($"resolve:{conflictId}", key.EntityType, key.EntityId, fields,
            new Stamp(version, now.UtcTicks, request.DeviceId), current.Version, version, createdAt);
        var result = _merger.Apply(current, resolution, ConflictPolicy.Field);
        var data = result.State.WriteData();
        if (data.Length > _limits.MaxEntityBytes)
        {
            throw new ApiException(413, ErrorCodes.PayloadTooLarge,
                $"The entity would be {data.Length} bytes of JSON; the limit is {_limits.MaxEntityBytes}.");
        }

        var writes = new WriteSet { NewSeq = session.CurrentSeq + 1 };
        writes.Entities.Add(result.State.ToRow(writes.NewSeq, now, data));
        writes.ConflictUpdates.Add(new ConflictStatusUpdate(conflictId, ConflictStatuses.Resolved, now));
        await session.SaveAsync(writes, cancellationToken);
        await session.CommitAsync(cancellationToken);
        EntitiesChanged?.Invoke(userId, Cursor.Encode(writes.NewSeq));

        return new ResolveConflictResponse { Entity = JsonDocument.Parse(data).RootElement, SyncVersion = result.State.Version };
    }
}
