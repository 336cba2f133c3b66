using System.Diagnostics;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// Device A makes 10,000 changes offline; then A syncs and B pulls. "End to end" is the time for B to
/// see them: A's sync up to its last acknowledged push batch (its first pull included), plus B's pull.
/// A's closing pull (its own changes coming back) is not on that path and is reported apart, as is
/// the time spent waiting on the server.
/// </summary>
public static class EndToEndHarness
{
    public static async Task RunAsync(Backend backend, int runs)
    {
        await using var devices = await Devices.StartAsync(backend);
        var totals = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var (a, b) = await devices.PairAsync();
            await Devices.WriteOfflineAsync(a);
            var (timeA, timeB) = (devices.Timings[^2], devices.Timings[^1]);
            timeA.Reset();
            timeB.Reset();
            var clock = Stopwatch.StartNew();
            var pushedAt = TimeSpan.Zero;
            var serverPushAtEnd = TimeSpan.Zero;
            var serverPullAtEnd = TimeSpan.Zero;
            a.ProgressChanged += (_, e) =>
            {
                if (e.Phase == SyncPhase.Push && e.Done == e.Total)
                {
                    pushedAt = clock.Elapsed;
                    (serverPushAtEnd, serverPullAtEnd) = (timeA.Push, timeA.Pull);
                }
            };
            await a.SyncNowAsync();
            var aDone = clock.Elapsed;
            var pullStart = clock.Elapsed;
            var pulled = await b.SyncNowAsync();
            var bPull = clock.Elapsed - pullStart;
            if (pulled.Pulled != 10_000 || await b.Contacts.CountAsync() != 6_001)
            {
                throw new InvalidOperationException($"B pulled {pulled.Pulled} changes, expected 10,000.");
            }

            var endToEnd = pushedAt + bPull;
            Console.WriteLine($"{backend} run {run}{(run == 0 ? " (warm-up)" : "")}: end to end {endToEnd.TotalMilliseconds:F0} ms"
                + $" = A to last push {pushedAt.TotalMilliseconds:F0} ms (server push {serverPushAtEnd.TotalMilliseconds:F0}, server pull {serverPullAtEnd.TotalMilliseconds:F0})"
                + $" + B pull {bPull.TotalMilliseconds:F0} ms (server pull {timeB.Pull.TotalMilliseconds:F0});"
                + $" A's closing pull {(aDone - pushedAt).TotalMilliseconds:F0} ms");
            if (run > 0)
            {
                totals.Add(endToEnd.TotalMilliseconds);
            }
        }

        totals.Sort();
        Console.WriteLine($"{backend}: end to end median {totals[totals.Count / 2]:F0} ms, min {totals[0]:F0} ms, max {totals[^1]:F0} ms over {totals.Count} runs");
    }
}
