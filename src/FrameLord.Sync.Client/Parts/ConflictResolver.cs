using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>Conflicts the server reported: stored on the device, refreshed from the server's listing, resolved through the server.</summary>
internal sealed class ConflictResolver(
    LocalDatabase db, TimeProvider time, DeviceIdentity identity, AccessTokens tokens, ISyncTransport transport, RemoteEntityApplier applier,
    SyncStatusTracker status)
{
    /// <summary>Conflicts stored on this device: those needing review (open), or all of them.</summary>
    public IReadOnlyList<SyncConflict> List(bool includeClosed) => db.Reader.Conflicts(includeClosed);

    /// <summary>
    /// Fetches every conflict the server holds for the account (those of other devices too) and stores
    /// them, so statuses resolved elsewhere show here. Returns how many conflicts are open.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        string? cursor = null;
        var more = true;
        while (more)
        {
            var list = await tokens.AuthorizedAsync(token => transport.ListConflictsAsync(ConflictStatuses.All, cursor, token, cancellationToken), cancellationToken);
            var now = time.GetUtcNow().UtcTicks;
            var winners = ConflictRecords.WinnersByChange(list.Conflicts);
            await db.WriteAsync(w =>
            {
                foreach (var conflict in list.Conflicts)
                {
                    ConflictRecords.Store(w, conflict, ConflictRecords.WinnerOf(conflict, winners), now);
                }

                status.RecountConflicts(w);
                return true;
            }, cancellationToken);

            // A page that does not move the cursor ends the walk, whatever has_more says.
            more = list.HasMore && list.Cursor is not null && list.Cursor != cursor;
            cursor = list.Cursor;
        }

        status.Refresh();
        return status.State.Conflicts;
    }

    public async Task ResolveAsync(string conflictId, string choice, JsonElement? values, CancellationToken cancellationToken)
    {
        var request = new ResolveConflictRequest { Choice = choice, Data = values, DeviceId = identity.DeviceId };
        var conflict = db.Reader.Conflicts(true).FirstOrDefault(c => c.ConflictId == conflictId);
        var response = await tokens.AuthorizedAsync(token => transport.ResolveConflictAsync(conflictId, request, token, cancellationToken), cancellationToken);
        var entity = JsonNode.Parse(response.Entity.GetRawText()) as JsonObject ?? [];
        var now = time.GetUtcNow();
        await db.WriteAsync(w =>
        {
            if (conflict is not null)
            {
                var updatedAt = EntityJson.Field(entity, EntityFields.UpdatedAt) is JsonValue v && v.TryGetValue<DateTimeOffset>(out var at) ? at : now;
                applier.Apply(w, conflict.EntityType, conflict.EntityId, response.Entity, response.SyncVersion, updatedAt, identity.DeviceId, now.UtcTicks);
            }

            w.SetConflictStatus(conflictId, ConflictStatuses.Resolved);
            status.RecountConflicts(w);
            return true;
        }, cancellationToken);
        status.Refresh();
    }
}
