using System.Diagnostics;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// <c>profile FILE.json.gz [rounds]</c>: replays the trace several times in one process (default 3), printing
/// per round the apply time, struct count, GC counts and pause, JIT time and bytes allocated per edit. Meant
/// for profilers and for warm (second and later) timings.
/// </summary>
public static class ProfileCommand
{
    public static int Run(string[] args)
    {
        var trace = EditingTrace.Load(args[1]);
        var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        for (var round = 0; round < rounds; round++)
        {
            GC.Collect();
            var doc = new YDoc(new YDocOptions { ClientId = 1 });
            var w = Stopwatch.StartNew();
            var gc0 = GC.CollectionCount(0);
            var gc2 = GC.CollectionCount(2);
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            trace.ReplayInto(doc);
            Console.WriteLine($"apply {w.Elapsed.TotalMilliseconds:F0} ms, structs {doc.Store.Clients[1].Count} gc0 {GC.CollectionCount(0) - gc0} gc2 {GC.CollectionCount(2) - gc2} pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} jit {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0}ms/{System.Runtime.JitInfo.GetCompiledMethodCount()} alloc/op {(GC.GetAllocatedBytesForCurrentThread() - alloc) / trace.Patches.Length}");
        }

        return 0;
    }
}
