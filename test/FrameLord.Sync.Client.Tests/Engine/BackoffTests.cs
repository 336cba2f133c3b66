using FrameLord.Sync.Client.Engine;

namespace FrameLord.Sync.Client.Tests.Engine;

public sealed class BackoffTests
{
    private static readonly TimeSpan[] s_delays = new[] { 2, 4, 8, 16, 32 }.Select(s => TimeSpan.FromSeconds(s)).ToArray();

    [Fact]
    public void Delay_FollowsTwoFourEightSixteenThirtyTwo()
    {
        var backoff = new Backoff(s_delays, 0.2, new Random(1));
        Assert.Equal(s_delays, Enumerable.Range(1, 5).Select(a => backoff.Delay(a)).ToArray());
    }

    [Fact]
    public void Delay_AfterTheFifth_IsThirtyTwoSecondsWithJitter_ReproducibleFromTheSeed()
    {
        var first = new Backoff(s_delays, 0.2, new Random(42));
        var second = new Backoff(s_delays, 0.2, new Random(42));
        var delays = Enumerable.Range(6, 50).Select(a => first.Delay(a)).ToArray();
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 32 * 0.8, 32 * 1.2));
        Assert.True(delays.Distinct().Count() > 10, "jitter should spread the delays");
        Assert.Equal(delays, Enumerable.Range(6, 50).Select(a => second.Delay(a)).ToArray());
    }

    [Fact]
    public void Delay_HonoursALongerRetryAfter_Only()
    {
        var backoff = new Backoff(s_delays, 0.2, new Random(1));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Delay(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(8), backoff.Delay(3, TimeSpan.FromSeconds(1)));
    }
}
