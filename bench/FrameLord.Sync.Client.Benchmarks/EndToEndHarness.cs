using System.Diagnostics;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// Device A makes 10,000 changes offline; the clock runs from A's sync until B has pulled them all.
/// Prints each run with its parts: A's push (with its pulls), B's pull.
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
            await a.SyncNowAsync();
            var push = clock.Elapsed;
            var pulled = await b.SyncNowAsync();
            var total = clock.Elapsed;
            if (pulled.Pulled != 10_000 || await b.Contacts.CountAsync() != 6_001)
            {
                throw new InvalidOperationException($"B pulled {pulled.Pulled} changes, expected 10,000.");
            }

            Console.WriteLine($"{backend} run {run}{(run == 0 ? " (warm-up)" : "")}: total {total.TotalMilliseconds:F0} ms = A sync {push.TotalMilliseconds:F0} ms"
                + $" (waiting on push {timeA.Push.TotalMilliseconds:F0} ms, on pull {timeA.Pull.TotalMilliseconds:F0} ms)"
                + $" + B pull {(total - push).TotalMilliseconds:F0} ms (waiting on pull {timeB.Pull.TotalMilliseconds:F0} ms)");
            if (run > 0)
            {
                totals.Add(total.TotalMilliseconds);
            }
        }

        totals.Sort();
        Console.WriteLine($"{backend}: median {totals[totals.Count / 2]:F0} ms, min {totals[0]:F0} ms, max {totals[^1]:F0} ms over {totals.Count} runs");
    }
}
