using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    private const string ConflictColumns =
        "conflict_id, change_id, entity_type, entity_id, fields, resolution, needs_review, status, winner, local, remote, created_at";

    /// <summary>Conflicts stored on this device: those needing review (open), or all of them. Works offline.</summary>
    public Task<IReadOnlyList<SyncConflict>> GetConflictsAsync(bool includeClosed = false, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SyncConflict>>(_db.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = includeClosed
                ? $"SELECT {ConflictColumns} FROM conflicts ORDER BY created_at, conflict_id;"
                : $"SELECT {ConflictColumns} FROM conflicts WHERE status = '{ConflictStatuses.Open}' ORDER BY created_at, conflict_id;";
            using var reader = command.ExecuteReader();
            var list = new List<SyncConflict>();
            while (reader.Read())
            {
                list.Add(new SyncConflict(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    JsonSerializer.Deserialize(reader.GetString(4), ClientJsonContext.Default.StringArray) ?? [],
                    reader.GetString(5), reader.GetInt64(6) != 0, reader.GetString(7), Element(reader.GetString(8)),
                    Element(reader.GetString(9)), Element(reader.GetString(10)), new DateTimeOffset(reader.GetInt64(11), TimeSpan.Zero)));
            }

            return list;
        }));

    /// <summary>Resolves a conflict with the values this device pushed (needs the server).</summary>
    public Task KeepLocalAsync(string conflictId, CancellationToken cancellationToken = default) =>
        ResolveAsync(conflictId, ResolutionChoices.KeepLocal, null, cancellationToken);

    /// <summary>Resolves a conflict with the values the change met (needs the server).</summary>
    public Task UseRemoteAsync(string conflictId, CancellationToken cancellationToken = default) =>
        ResolveAsync(conflictId, ResolutionChoices.UseRemote, null, cancellationToken);

    /// <summary>Resolves a conflict with the given field values (a JSON object; those fields only; needs the server).</summary>
    public Task MergeAsync(string conflictId, JsonElement values, CancellationToken cancellationToken = default) =>
        ResolveAsync(conflictId, ResolutionChoices.Merged, values, cancellationToken);

    /// <summary>
    /// Fetches every conflict the server holds for the account (those of other devices too) and stores
    /// them, so statuses resolved elsewhere show here. Returns how many conflicts are open.
    /// </summary>
    public async Task<int> RefreshConflictsAsync(CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        var more = true;
        while (more)
        {
            var list = await AuthorizedAsync(token => _transport.ListConflictsAsync(ConflictStatuses.All, cursor, token, cancellationToken), cancellationToken);
            var now = _time.GetUtcNow().UtcTicks;
            var winners = WinnersByChange(list.Conflicts);
            await _db.WriteAsync(w =>
            {
                foreach (var conflict in list.Conflicts)
                {
                    StoreConflict(w, conflict, WinnerOf(conflict, winners), now);
                }

                RecountConflicts(w);
                return true;
            }, cancellationToken);

            // A page that does not move the cursor ends the walk, whatever has_more says.
            more = list.HasMore && list.Cursor is not null && list.Cursor != cursor;
            cursor = list.Cursor;
        }

        RefreshState();
        return State.Conflicts;
    }

    /// <summary>The winners a batch of conflicts carries, by change id (for those that refer to one by <c>winner_ref</c>).</summary>
    private static Dictionary<string, JsonElement> WinnersByChange(IEnumerable<Conflict> conflicts)
    {
        var winners = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var conflict in conflicts)
        {
            if (conflict.Winner is { } winner)
            {
                winners.TryAdd(conflict.ChangeId, winner);
            }
        }

        return winners;
    }

    /// <summary>The conflict's winner, its referenced one, or null: the server may leave it out (DESIGN 3.4) and pull brings the entity.</summary>
    private static JsonElement? WinnerOf(Conflict conflict, Dictionary<string, JsonElement> winners) =>
        conflict.Winner ?? (conflict.WinnerRef is { } reference && winners.TryGetValue(reference, out var found) ? found : null);

    private async Task ResolveAsync(string conflictId, string choice, JsonElement? values, CancellationToken cancellationToken)
    {
        var request = new ResolveConflictRequest { Choice = choice, Data = values, DeviceId = DeviceId };
        var conflict = (await GetConflictsAsync(true, cancellationToken)).FirstOrDefault(c => c.ConflictId == conflictId);
        var response = await AuthorizedAsync(token => _transport.ResolveConflictAsync(conflictId, request, token, cancellationToken), cancellationToken);
        var entity = JsonNode.Parse(response.Entity.GetRawText()) as JsonObject ?? [];
        var now = _time.GetUtcNow();
        await _db.WriteAsync(w =>
        {
            if (conflict is not null)
            {
                var updatedAt = EntityJson.Field(entity, EntityFields.UpdatedAt) is JsonValue v && v.TryGetValue<DateTimeOffset>(out var at) ? at : now;
                ApplyRemote(w, conflict.EntityType, conflict.EntityId, response.Entity, response.SyncVersion, updatedAt, DeviceId, now.UtcTicks);
            }

            var command = w.Command("UPDATE conflicts SET status = $s WHERE conflict_id = $id;");
            command.Parameters.AddWithValue("$s", ConflictStatuses.Resolved);
            command.Parameters.AddWithValue("$id", conflictId);
            command.ExecuteNonQuery();
            RecountConflicts(w);
            return true;
        }, cancellationToken);
        RefreshState();
    }

    /// <summary>Inserts the conflict, or updates its status when the server's listing says it moved on.</summary>
    private static SyncConflict StoreConflict(LocalWriter w, Conflict conflict, JsonElement? winner, long now)
    {
        var status = conflict.Status ?? (conflict.NeedsReview ? ConflictStatuses.Open : ConflictStatuses.AutoResolved);
        var createdAt = conflict.CreatedAt?.UtcTicks ?? now;
        var command = w.Command($"""
            INSERT INTO conflicts ({ConflictColumns}) VALUES ($id, $c, $t, $i, $f, $r, $n, $s, $w, $l, $rm, $at)
            ON CONFLICT (conflict_id) DO UPDATE SET status = CASE WHEN $fromList = 1 THEN $s ELSE conflicts.status END;
            """);
        var p = command.Parameters;
        p.AddWithValue("$id", conflict.ConflictId);
        p.AddWithValue("$c", conflict.ChangeId);
        p.AddWithValue("$t", conflict.EntityType);
        p.AddWithValue("$i", conflict.EntityId);
        p.AddWithValue("$f", JsonSerializer.Serialize(conflict.Fields.ToArray(), ClientJsonContext.Default.StringArray));
        p.AddWithValue("$r", conflict.Resolution);
        p.AddWithValue("$n", conflict.NeedsReview ? 1 : 0);
        p.AddWithValue("$s", status);
        p.AddWithValue("$w", winner?.GetRawText() ?? "null");
        p.AddWithValue("$l", conflict.Local.GetRawText());
        p.AddWithValue("$rm", conflict.Remote.GetRawText());
        p.AddWithValue("$at", createdAt);
        p.AddWithValue("$fromList", conflict.Status is null ? 0 : 1);
        command.ExecuteNonQuery();
        return new SyncConflict(conflict.ConflictId, conflict.ChangeId, conflict.EntityType, conflict.EntityId, conflict.Fields,
            conflict.Resolution, conflict.NeedsReview, status, winner?.Clone() ?? NullElement, conflict.Local.Clone(), conflict.Remote.Clone(),
            new DateTimeOffset(createdAt, TimeSpan.Zero));
    }

    private static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static readonly JsonElement NullElement = Element("null");
}
