using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// Time for device B to see 10,000 changes made offline on device A: A's sync (pull, push in batches
/// of 100, pull) then B's pull, through the real server on a loopback port. One operation per
/// iteration; the 10,000 offline writes are made in the iteration setup, outside the measurement.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    private Devices _devices = null!;
    private SyncClient _a = null!;
    private SyncClient _b = null!;

    [Params(Backend.Sqlite, Backend.Postgres)]
    public Backend Backend { get; set; }

    [GlobalSetup]
    public void Setup() => _devices = Devices.StartAsync(Backend).GetAwaiter().GetResult();

    [IterationSetup]
    public void WriteOffline()
    {
        (_a, _b) = _devices.PairAsync().GetAwaiter().GetResult();
        Devices.WriteOfflineAsync(_a).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "10,000 offline changes: A syncs, B pulls")]
    public async Task<int> TenThousandChangesEndToEnd()
    {
        await _a.SyncNowAsync();
        var result = await _b.SyncNowAsync();
        return result.Pulled == 10_000 ? result.Pulled : throw new InvalidOperationException($"B pulled {result.Pulled}");
    }

    [GlobalCleanup]
    public void Cleanup() => _devices.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
