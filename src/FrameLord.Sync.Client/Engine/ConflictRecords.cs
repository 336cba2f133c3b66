using System.Text.Json;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Engine;

/// <summary>How the server's conflicts are stored on the device, from a push answer or the server's listing.</summary>
internal static class ConflictRecords
{
    private static readonly JsonElement NullElement = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>The winners a batch of conflicts carries, by change id (for those that refer to one by <c>winner_ref</c>).</summary>
    public static Dictionary<string, JsonElement> WinnersByChange(IEnumerable<Conflict> conflicts)
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
    public static JsonElement? WinnerOf(Conflict conflict, Dictionary<string, JsonElement> winners) =>
        conflict.Winner ?? (conflict.WinnerRef is { } reference && winners.TryGetValue(reference, out var found) ? found : null);

    /// <summary>Inserts the conflict, or updates its status when the server's listing says it moved on.</summary>
    public static SyncConflict Store(LocalWriter w, Conflict conflict, JsonElement? winner, long now)
    {
        var status = conflict.Status ?? (conflict.NeedsReview ? ConflictStatuses.Open : ConflictStatuses.AutoResolved);
        var createdAt = conflict.CreatedAt?.UtcTicks ?? now;
        w.UpsertConflict(conflict, status, winner?.GetRawText() ?? "null", createdAt, fromListing: conflict.Status is not null);
        return new SyncConflict(conflict.ConflictId, conflict.ChangeId, conflict.EntityType, conflict.EntityId, conflict.Fields,
            conflict.Resolution, conflict.NeedsReview, status, winner?.Clone() ?? NullElement, conflict.Local.Clone(), conflict.Remote.Clone(),
            new DateTimeOffset(createdAt, TimeSpan.Zero));
    }
}
