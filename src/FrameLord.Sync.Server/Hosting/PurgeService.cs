using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Deletes tombstones and recorded change outcomes older than <c>Sync:TombstoneRetention</c>, every
/// <c>Sync:PurgeInterval</c>. A pull whose cursor predates a purged tombstone then answers 410. Expired
/// refresh tokens go at the same time.
/// </summary>
internal sealed partial class PurgeService(ISyncStore store, IOptions<SyncOptions> options, TimeProvider time, ILogger<PurgeService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PurgeInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                var horizon = time.GetUtcNow() - options.Value.TombstoneRetention;
                var result = await store.PurgeAsync(horizon, horizon, stoppingToken);
                LogPurged(logger, result.TombstonesDeleted, result.OutcomesDeleted);
                // Spent refresh tokens are kept until they expire (to recognize a reuse); then they go.
                LogTokensPurged(logger, await store.PurgeExpiredRefreshTokensAsync(time.GetUtcNow(), stoppingToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge removed {Tombstones} tombstones and {Outcomes} recorded outcomes")]
    private static partial void LogPurged(ILogger logger, int tombstones, int outcomes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge removed {Tokens} expired refresh tokens")]
    private static partial void LogTokensPurged(ILogger logger, int tokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purge failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
