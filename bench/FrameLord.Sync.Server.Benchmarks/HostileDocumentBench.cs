using System.Diagnostics;
using System.Globalization;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Benchmarks;

/// <summary>
/// Hostile Yjs updates (<see cref="HostileUpdates"/>) sent to a fresh note through the sync engine
/// (<see cref="DocumentService.SyncAsync"/>: decoding, inspection, the store's append, the answer's diff
/// and merge), then the note's compaction, at several sizes: the time per MiB must not grow with size.
/// </summary>
internal static class HostileDocumentBench
{
    private const int WarmUpRounds = 40;

    public static async Task<string> RunAsync(Backend backend, IReadOnlyList<double> sizesMiB, IReadOnlyList<string> shapes)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var documents = new DocumentService(store, new SyncOptions(), new LimitOptions(), TimeProvider.System);
        var name = backend.ToString().ToLowerInvariant();

        // Warm up every shape's code path, untimed, often enough (past the runtime's 30 calls) that the hot
        // methods run as fully optimized code, as in a server that has been up a while; then give the
        // background compiler a moment to install it.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            foreach (var shape in shapes)
            {
                await RunOneAsync(documents, $"warm-{shape}-{round}", shape, 16 * 1024);
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2));

        var report = new StringBuilder();
        foreach (var shape in shapes)
        {
            foreach (var mib in sizesMiB)
            {
                var bytes = (int)(mib * 1024 * 1024);
                var r = await RunOneAsync(documents, $"{shape}-{mib}", shape, bytes);
                var actualMiB = r.UpdateBytes / (1024.0 * 1024.0);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {shape} | {actualMiB:F2} | {r.Sync.TotalSeconds:F3} | {r.Sync.TotalSeconds / actualMiB:F3} | {r.Compaction.TotalSeconds:F3} | {r.Compaction.TotalSeconds / actualMiB:F3} | {r.AnswerBytes:N0} |");
                Console.Error.WriteLine($"{shape} {actualMiB:F2} MiB: sync {r.Sync.TotalSeconds:F3} s, compaction {r.Compaction.TotalSeconds:F3} s");
            }
        }

        return report.ToString();
    }

    private static async Task<(int UpdateBytes, TimeSpan Sync, TimeSpan Compaction, int AnswerBytes)> RunOneAsync(
        DocumentService documents, string note, string shape, int bytes)
    {
        const string User = "hostile";
        if (HostileUpdates.Base(shape, bytes) is { } baseUpdate)
        {
            await documents.SyncAsync(User, note, new DocumentSyncRequest { YjsUpdates = baseUpdate }, CancellationToken.None);
            await documents.CompactAsync(User, note, CancellationToken.None);
        }

        var update = HostileUpdates.Create(shape, bytes);
        GC.Collect();
        var watch = Stopwatch.StartNew();
        var response = await documents.SyncAsync(User, note, new DocumentSyncRequest { YjsUpdates = update }, CancellationToken.None);
        var sync = watch.Elapsed;
        watch.Restart();
        await documents.CompactAsync(User, note, CancellationToken.None);
        return (update.Length, sync, watch.Elapsed, response.Updates.Length);
    }

    /// <summary>The CRDT steps of one sync on their own (no store): where the time of a shape goes.</summary>
    public static string Phases(string shape, double mib)
    {
        var update = HostileUpdates.Create(shape, (int)(mib * 1024 * 1024));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var inspection = FrameLord.Sync.Crdt.YUpdateInspection.Inspect(update, new Dictionary<ulong, long>(), FrameLord.Sync.Crdt.YUpdate.Empty);
        var inspect = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var diff = FrameLord.Sync.Crdt.YUpdate.DiffUpdate(update, FrameLord.Sync.Crdt.YUpdate.Empty);
        var diffMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var merged = FrameLord.Sync.Crdt.YUpdate.MergeUpdates([FrameLord.Sync.Crdt.YUpdate.Empty.ToArray(), diff]);
        var mergeMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var doc = new FrameLord.Sync.Crdt.YDoc(new FrameLord.Sync.Crdt.YDocOptions { ClientId = 1, Gc = true });
        doc.ApplyUpdate(update);
        var applyMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var state = doc.EncodeStateAsUpdate();
        var encodeMs = watch.Elapsed.TotalMilliseconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"{shape} {update.Length / 1048576.0:F2} MiB (integrates {inspection.Integrates}), {cpuMs:F0} ms CPU in all: inspect {inspect:F0} ms, diff {diffMs:F0} ms, merge {mergeMs:F0} ms ({merged.Length:N0} B), apply {applyMs:F0} ms, encode {encodeMs:F0} ms ({state.Length:N0} B)");
    }

    /// <summary>
    /// The request's CPU steps on their own (no store), warmed up as the sync run is, each timed over
    /// <paramref name="rounds"/> runs: the inspection (scan and checks) and the state vector it leaves, the
    /// process's CPU time (collector threads included) beside the wall time.
    /// </summary>
    public static string Steps(string shape, double mib, int rounds)
    {
        for (var round = 0; round < WarmUpRounds; round++)
        {
            var small = HostileUpdates.Create(shape, 16 * 1024);
            FrameLord.Sync.Crdt.YUpdateInspection.Inspect(small, new Dictionary<ulong, long>(), FrameLord.Sync.Crdt.YUpdate.Empty);
        }

        Thread.Sleep(TimeSpan.FromSeconds(2));
        var update = HostileUpdates.Create(shape, (int)(mib * 1024 * 1024));
        var inspect = new List<(double Wall, double Cpu)>();
        var vector = new List<(double Wall, double Cpu)>();
        for (var round = 0; round < rounds; round++)
        {
            GC.Collect();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var inspection = FrameLord.Sync.Crdt.YUpdateInspection.Inspect(update, new Dictionary<ulong, long>(), FrameLord.Sync.Crdt.YUpdate.Empty);
            inspect.Add((watch.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds));
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            _ = inspection.After;
            vector.Add((watch.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds));
        }

        static string Median(List<(double Wall, double Cpu)> runs) => string.Create(CultureInfo.InvariantCulture,
            $"{runs.Select(r => r.Wall).Order().ElementAt(runs.Count / 2):F0} ms wall, {runs.Select(r => r.Cpu).Order().ElementAt(runs.Count / 2):F0} ms CPU");
        return string.Create(CultureInfo.InvariantCulture,
            $"{shape} {update.Length / 1048576.0:F2} MiB, median of {rounds}: inspect {Median(inspect)}; state vector after, decoded {Median(vector)}");
    }

    public static string Header =>
        "| store | shape | update MiB | sync s | sync s/MiB | compaction s | compaction s/MiB | answer bytes |\n" +
        "|---|---|---:|---:|---:|---:|---:|---:|\n";
}
