namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>Waits (in real time, bounded) for something another task does.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 20_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Gives the loop a moment of real time to run what is due, then checks nothing else happened.</summary>
    public static Task SettleAsync() => Task.Delay(150);
}
