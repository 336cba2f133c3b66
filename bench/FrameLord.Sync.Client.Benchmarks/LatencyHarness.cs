using System.Diagnostics;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// Local write latency (a create or an update: entity and outbox entry in one transaction), one write
/// at a time, in two phases of the same run: a baseline with no sync at all, then with the sync loop
/// running (short debounce, so it pushes and pulls all the time) while a second device keeps writing
/// changes the loop pulls. Writes come in bursts of 100 with 5 ms pauses. Reports p50, p90, p99 and max;
/// the ratio of the two phases' p99 is what the shared machine's noise leaves comparable.
/// </summary>
public static class LatencyHarness
{
    public static async Task RunAsync(int writes)
    {
        await using var devices = await Devices.StartAsync(Backend.Sqlite);
        var (a, b) = await devices.PairAsync(debounce: TimeSpan.FromMilliseconds(200));
        var baseline = await MeasureAsync(a, writes, "base");
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
                if (i % 50 == 0)
                {
                    await b.SyncNowAsync();
                    a.RequestSync();
                }
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
        var loaded = await MeasureAsync(a, writes, "loop");
        await stop.CancelAsync();
        await other;
        await a.StopAsync();
        Report($"sync loop running ({syncs} syncs during the run)", loaded, writes);
    }

    private static async Task<double[]> MeasureAsync(SyncClient a, int writes, string tag)
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
            if (i % 100 == 99)
            {
                await Task.Delay(5); // a user pauses; the loop gets its turns
            }
        }

        return samples.Skip(writes / 10).Order().ToArray(); // the first 10% warm up
    }

    private static void Report(string phase, double[] sorted, int writes) =>
        Console.WriteLine($"{phase}: {sorted.Length} of {writes} writes measured: p50 {Percentile(sorted, 0.50):F3} ms, p90 {Percentile(sorted, 0.90):F3} ms, "
            + $"p99 {Percentile(sorted, 0.99):F3} ms, max {sorted[^1]:F3} ms");

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
