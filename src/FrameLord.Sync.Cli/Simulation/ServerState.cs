using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>What the server holds for a user: every entity, pulled page by page from the start.</summary>
internal static class ServerState
{
    public static async Task<List<PulledChange>> PullAllAsync(SyncService sync, string userId, CancellationToken cancellationToken = default)
    {
        var all = new List<PulledChange>();
        string? cursor = null;
        while (true)
        {
            var page = await sync.PullAsync(userId, new PullRequest
            {
                DeviceId = "checker",
                SchemaVersion = SchemaVersions.Current,
                Cursor = cursor,
                Limit = 1000,
            }, cancellationToken);
            all.AddRange(page.Changes);
            cursor = page.Cursor;
            if (!page.HasMore)
            {
                return all;
            }
        }
    }
}
