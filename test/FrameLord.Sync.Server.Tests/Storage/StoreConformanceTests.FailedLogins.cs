using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>Failed logins per email live in the store: shared by processes on one database, kept across restarts.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly LimitOptions LoginLimits = new() { FailedLoginsPerEmail = 4, FailedLoginWindow = TimeSpan.FromMinutes(15) };

    [Fact]
    public async Task FailedLogins_CountedThroughTwoProcesses_LockBoth_AndARestartedOne()
    {
        var first = new FailedLoginLimiter(Store, LoginLimits, Time);
        var second = new FailedLoginLimiter(Store, LoginLimits, Time);
        for (var i = 0; i < 2; i++)
        {
            await first.RecordFailureAsync("victim@example.com", CancellationToken.None);
            await second.RecordFailureAsync("victim@example.com", CancellationToken.None);
        }

        foreach (var limiter in new[] { first, second, new FailedLoginLimiter(Store, LoginLimits, Time) })
        {
            var locked = await Assert.ThrowsAsync<ApiException>(() => limiter.ThrowIfLockedAsync("victim@example.com", CancellationToken.None));
            Assert.Equal(429, locked.Status);
            Assert.Equal(15 * 60, locked.RetryAfterSeconds);
        }

        await first.ThrowIfLockedAsync("other@example.com", CancellationToken.None); // another email is not locked

        // The window ends: unlocked, and the next failure starts a new count.
        Time.Advance(TimeSpan.FromMinutes(15));
        await second.ThrowIfLockedAsync("victim@example.com", CancellationToken.None);
        await second.RecordFailureAsync("victim@example.com", CancellationToken.None);
        Assert.Equal(1, (await Store.ReadFailedLoginsAsync(FailedLoginLimiter.Key("victim@example.com"), CancellationToken.None))!.Failures);
    }

    [Fact]
    public async Task FailedLogins_ConcurrentFailures_AllCount()
    {
        var limiters = Enumerable.Range(0, 4).Select(_ => new FailedLoginLimiter(Store, LoginLimits, Time)).ToList();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => limiters[i % 4].RecordFailureAsync("x@example.com", CancellationToken.None))));
        Assert.Equal(40, (await Store.ReadFailedLoginsAsync(FailedLoginLimiter.Key("x@example.com"), CancellationToken.None))!.Failures);
    }

    [Fact]
    public async Task FailedLogins_EndedWindows_AreDeleted_SoGuessedEmailsDoNotPileUp()
    {
        var limiter = new FailedLoginLimiter(Store, LoginLimits, Time);
        for (var i = 0; i < 50; i++)
        {
            await limiter.RecordFailureAsync($"guess{i}@example.com", CancellationToken.None);
        }

        Time.Advance(TimeSpan.FromMinutes(16));
        await limiter.RecordFailureAsync("later@example.com", CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await Store.ReadFailedLoginsAsync(FailedLoginLimiter.Key($"guess{i}@example.com"), CancellationToken.None));
        }

        Assert.NotNull(await Store.ReadFailedLoginsAsync(FailedLoginLimiter.Key("later@example.com"), CancellationToken.None));
    }
}
