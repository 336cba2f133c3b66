using System.Diagnostics;
using System.Text.Json;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// <c>blocks [--compare-yjs]</c>: the server's document shape at scale. Builds a YMap of 10,000 block YMaps
/// (each with a flavour string, a YText and a YArray of children), one transaction per block, client id 1;
/// then times loading its snapshot, diffing the snapshot against an empty and a nearly complete state
/// vector, deriving the state vector from the snapshot, and merging the snapshot with a later update.
/// eng/yjs/blocks.mjs does the same with yjs and must produce the same snapshot bytes.
/// </summary>
public static class BlocksCommand
{
    private const int Blocks = 10_000;

    public static int Run(string[] args)
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        var blocks = doc.GetMap("blocks");
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Blocks; i++)
        {
            doc.Transact(_ =>
            {
                var block = blocks.Set("block-" + i, new YMap());
                block.Set("sys:flavour", "affine:paragraph");
                block.Set("prop:text", new YText()).Insert(0, "Paragraph number " + i + " of the benchmark document.");
                block.Set("sys:children", new YArray()).Push("child-" + i);
            });
        }

        var buildMs = watch.Elapsed.TotalMilliseconds;
        var almost = new YDoc(new YDocOptions { ClientId = 2 });
        almost.ApplyUpdate(doc.EncodeStateAsUpdate());
        blocks.Get<YMap>("block-5")!.Get<YText>("prop:text")!.Insert(0, "Edited: ");
        var snapshot = doc.EncodeStateAsUpdate();
        var later = new YDoc(new YDocOptions { ClientId = 3 });
        later.ApplyUpdate(snapshot);
        later.GetMap("blocks").Get<YMap>("block-7")!.Get<YText>("prop:text")!.Insert(0, "Later: ");
        var laterUpdate = later.EncodeStateAsUpdate(doc.EncodeStateVector());

        var load = Median(() =>
        {
            var loaded = new YDoc(new YDocOptions { ClientId = 4 });
            loaded.ApplyUpdate(snapshot);
        });
        var emptySv = new byte[] { 0 };
        var almostSv = almost.EncodeStateVector();
        var diffAll = Median(() => YUpdate.DiffUpdate(snapshot, emptySv));
        var diffSmall = Median(() => YUpdate.DiffUpdate(snapshot, almostSv));
        var svFromUpdate = Median(() => YUpdate.EncodeStateVectorFromUpdate(snapshot));
        var merge = Median(() => YUpdate.MergeUpdates([snapshot, laterUpdate]));
        var line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = "FrameLord.Sync.Crdt",
            ["blocks"] = Blocks,
            ["build_ms"] = Math.Round(buildMs, 1),
            ["snapshot_bytes"] = snapshot.Length,
            ["load_ms"] = Math.Round(load, 2),
            ["diff_empty_sv_ms"] = Math.Round(diffAll, 2),
            ["diff_one_edit_ms"] = Math.Round(diffSmall, 2),
            ["diff_one_edit_bytes"] = YUpdate.DiffUpdate(snapshot, almostSv).Length,
            ["sv_from_update_ms"] = Math.Round(svFromUpdate, 2),
            ["merge_ms"] = Math.Round(merge, 2),
        });
        Console.WriteLine(line);
        if (args.Contains("--compare-yjs"))
        {
            var path = Path.GetTempFileName();
            try
            {
                Console.WriteLine(TraceCommand.RunNode("blocks.mjs", ["--write-snapshot", path]));
                var identical = snapshot.AsSpan().SequenceEqual(File.ReadAllBytes(path));
                Console.WriteLine(JsonSerializer.Serialize(new { snapshots_identical = identical }));
                return identical ? 0 : 1;
            }
            finally
            {
                File.Delete(path);
            }
        }

        return 0;
    }

    /// <summary>Median of 5 timed runs after one untimed run, each after a full collection.</summary>
    private static double Median(Action action)
    {
        action();
        var times = new double[5];
        for (var i = 0; i < times.Length; i++)
        {
            GC.Collect();
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[2];
    }
}
