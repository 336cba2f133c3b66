using System.Diagnostics;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// Local write latency (a create or an update: entity and outbox entry in one transaction), one write
/// at a time, in two phases of the same run: a baseline with no sync at all, then with the sync loop
/// running (200 ms debounce, so it pushes and pulls all the time) while a second device writes a
/// change every four of A's pauses and syncs every 25, and A is asked to sync each time (as a live
/// change notification would). Writes come at a user's pace (a pause after each) or in bursts (a stress). Reports p50, p90, p99 and max;
/// the ratio of the two phases' p99 is what the shared machine's noise leaves comparable.
/// </summary>
public static class LatencyHarness
{
    /// <param name="writes">Writes per phase.</param>
    /// <param name="intervalMs">Pause after each write (a user's pace); 0 writes in bursts of 100 with 5 ms pauses (a stress).</param>
    public static async Task RunAsync(int writes, int intervalMs)
    {
        // The server runs in a process of its own: in-process, its allocations and collections would
        // pause the client's writes, which is not what a device sees.
        using var server = ServerProcess.Start(Backend.Sqlite);
        await using var devices = Devices.Connect(server.Address);
        var (a, b) = await devices.PairAsync(debounce: TimeSpan.FromMilliseconds(200));
        var baseline = await MeasureAsync(a, writes, "base", intervalMs);
        Console.WriteLine(intervalMs > 0 ? $"one write every {intervalMs} ms or so" : "bursts of 100 writes, 5 ms apart");
        Report("no sync running", baseline, writes);
        await a.SyncNowAsync(); // the baseline's writes are pushed before the second phase

        a.Start();
        using var stop = new CancellationTokenSource();
        var other = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await b.Tasks.CreateAsync(new TaskItem { Title = $"from B {i++}" });
                if (i % 25 == 0)
                {
                    await b.SyncNowAsync();
                    a.RequestSync(); // as a live change notification would
                }

                await Task.Delay(Math.Max(intervalMs * 4, 1));
            }
        });

        var syncs = 0;
        var syncing = false;
        a.StatusChanged += (_, e) =>
        {
            var now = e.State.Status == SyncStatus.Syncing;
            if (now && !syncing)
            {
                Interlocked.Increment(ref syncs);
            }

            syncing = now;
        };
        var loaded = await MeasureAsync(a, writes, "loop", intervalMs);
        await stop.CancelAsync();
        await other;
        await a.StopAsync();
        Report($"sync loop running ({syncs} syncs during the run)", loaded, writes);
    }

    private static async Task<double[]> MeasureAsync(SyncClient a, int writes, string tag, int intervalMs)
    {
        var ids = new List<string>();
        var samples = new double[writes];
        for (var i = 0; i < writes; i++)
        {
            var start = Stopwatch.GetTimestamp();
            if (i % 4 == 3)
            {
                await a.Contacts.UpdateAsync(ids[i / 2], c => c.Phone = $"{i}");
            }
            else
            {
                ids.Add((await a.Contacts.CreateAsync(new Contact { Name = $"Contact {tag} {i}", Email = $"c{i}@example.com" })).Id);
            }

            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (intervalMs > 0)
            {
                await Task.Delay(intervalMs);
            }
            else if (i % 100 == 99)
            {
                await Task.Delay(5);
            }
        }

        return samples.Skip(writes / 10).Order().ToArray(); // the first 10% warm up
    }

    private static void Report(string phase, double[] sorted, int writes) =>
        Console.WriteLine($"{phase}: {sorted.Length} of {writes} writes measured: p50 {Percentile(sorted, 0.50):F3} ms, p90 {Percentile(sorted, 0.90):F3} ms, "
            + $"p99 {Percentile(sorted, 0.99):F3} ms, max {sorted[^1]:F3} ms");

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
