using FrameLord.Sync.Server.Live.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Server.Tests.Live;

public sealed class MessageBudgetTests
{
    [Fact]
    public async Task TakeAsync_ABurstOfTwiceTheRate_ThenWaitsForTheRefill()
    {
        var time = new FakeTimeProvider();
        var budget = new MessageBudget(10, time);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(budget.TakeAsync(1, CancellationToken.None).IsCompleted, $"message {i} of the burst waited");
        }

        var next = budget.TakeAsync(1, CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100)); // one token at 10 a second
        await next.WaitAsync(TimeSpan.FromSeconds(10));

        var expensive = budget.TakeAsync(5, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.False(expensive.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await expensive.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
