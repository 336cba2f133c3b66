using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>Every conflict of a user, read page by page through the listing's cursor (for the simulation's checks).</summary>
internal static class ServerConflicts
{
    public static async Task<IReadOnlyList<Conflict>> AllAsync(SyncService sync, string userId, CancellationToken cancellationToken)
    {
        var all = new List<Conflict>();
        string? cursor = null;
        while (true)
        {
            var page = await sync.ListConflictsAsync(userId, ConflictStatuses.All, null, cursor, cancellationToken);
            all.AddRange(page.Conflicts);
            if (!page.HasMore)
            {
                return all;
            }

            cursor = page.Cursor;
        }
    }
}
