using System.Diagnostics;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary><c>profile FILE.json.gz [rounds]</c>: replays the trace several times (for profilers), printing each apply time.</summary>
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
            var text = doc.GetText("text");
            var w = Stopwatch.StartNew();
            var marks = new List<string>();
            var k = 0;
            var gc0 = GC.CollectionCount(0);
            var gc2 = GC.CollectionCount(2);
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            foreach (var (position, delete, insert) in trace.Patches)
            {
                if (++k % 26000 == 0)
                {
                    marks.Add($"{w.ElapsedMilliseconds}");
                }

                doc.Transact((text, position, delete, insert), static (_, edit) =>
                {
                    if (edit.delete > 0)
                    {
                        edit.text.Delete(edit.position, edit.delete);
                    }

                    if (edit.insert.Length > 0)
                    {
                        edit.text.Insert(edit.position, edit.insert);
                    }
                });
            }

            Console.WriteLine($"apply {w.Elapsed.TotalMilliseconds:F0} ms, structs {doc.Store.Clients[1].Count} gc0 {GC.CollectionCount(0) - gc0} gc2 {GC.CollectionCount(2) - gc2} pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} jit {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0}ms/{System.Runtime.JitInfo.GetCompiledMethodCount()} alloc/op {(GC.GetAllocatedBytesForCurrentThread() - alloc) / trace.Patches.Length} marks {string.Join(",", marks)}");
        }

        return 0;
    }
}
