using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Tests.Hardening;

public sealed class PasswordHashGateTests
{
    [Fact]
    public async Task RunAsync_PastTheBound_Is503WithRetryAfter_AndASlotFreesForTheNext()
    {
        var gate = new PasswordHashGate(new LimitOptions { MaxConcurrentPasswordHashes = 1, PasswordHashWait = TimeSpan.Zero });
        using var hashing = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var first = Task.Run(() => gate.RunAsync(() =>
        {
            entered.Set();
            hashing.Wait();
            return 1;
        }, CancellationToken.None));
        entered.Wait();

        var refused = await Assert.ThrowsAsync<ApiException>(() => gate.RunAsync(() => 2, CancellationToken.None));
        Assert.Equal(503, refused.Status);
        Assert.Equal(ErrorCodes.Unavailable, refused.Code);
        Assert.Equal(1, refused.RetryAfterSeconds);

        hashing.Set();
        Assert.Equal(1, await first);
        Assert.Equal(3, await gate.RunAsync(() => 3, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_WaitsBrieflyForASlot_BeforeRefusing()
    {
        var gate = new PasswordHashGate(new LimitOptions { MaxConcurrentPasswordHashes = 1, PasswordHashWait = TimeSpan.FromMinutes(1) });
        using var hashing = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var first = Task.Run(() => gate.RunAsync(() =>
        {
            entered.Set();
            hashing.Wait();
            return 1;
        }, CancellationToken.None));
        entered.Wait();

        var second = gate.RunAsync(() => 2, CancellationToken.None);
        Assert.False(second.IsCompleted);
        hashing.Set();
        Assert.Equal(2, await second);
        Assert.Equal(1, await first);
    }
}
