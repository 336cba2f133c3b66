using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// <c>trace FILE.json.gz [--client-id N] [--write-update OUT] [--compare-yjs]</c>: replays an editing trace one
/// trace transaction per transaction into <c>GetText("text")</c>, checks the end text, and prints one JSON line with the
/// apply, encode and load times, the update size and the heap held by the loaded document. <c>apply_ms</c> is
/// the first (cold) replay; <c>apply_warm_ms</c> a second replay into a fresh document in the same process. With
/// <c>--compare-yjs</c> it also runs eng/yjs/trace.mjs on the same trace and checks the updates are identical.
/// Load time is the median of 5 loads after the first (cold) load, which is reported too; the median is taken
/// with and without a forced full collection before each load, and the better one is reported. The yjs
/// script (eng/yjs/trace.mjs) uses the same method.
/// </summary>
public static class TraceCommand
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: trace FILE.json.gz [--client-id N] [--write-update OUT] [--compare-yjs]");
            return 2;
        }

        var file = args[1];
        ulong clientId = 1;
        string? output = null;
        var compare = false;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--client-id": clientId = ulong.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--write-update": output = args[++i]; break;
                case "--compare-yjs": compare = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var trace = EditingTrace.Load(file);
        var result = Measure(trace, clientId, out var update);
        Console.WriteLine(result);
        if (output is not null)
        {
            File.WriteAllBytes(output, update);
        }

        if (!compare)
        {
            return 0;
        }

        var yjsUpdate = Path.GetTempFileName();
        try
        {
            // yjs reads the trace with UTF-16 positions, converted once here, so both replay the same edits.
            var utf16 = Path.GetTempFileName();
            trace.WriteUtf16(utf16);
            var yjsLine = RunYjs(utf16, clientId, yjsUpdate);
            File.Delete(utf16);
            Console.WriteLine(yjsLine);
            var identical = update.AsSpan().SequenceEqual(File.ReadAllBytes(yjsUpdate));
            Console.WriteLine(JsonSerializer.Serialize(new { updates_identical = identical }));
            return identical ? 0 : 1;
        }
        finally
        {
            File.Delete(yjsUpdate);
        }
    }

    private static string Measure(EditingTrace trace, ulong clientId, out byte[] update)
    {
        var doc = new YDoc(new YDocOptions { ClientId = clientId });
        var text = doc.GetText("text");
        var patches = trace.Patches;
        var applyJitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var applyMethodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var watch = Stopwatch.StartNew();
        trace.ReplayInto(doc);
        var applyMs = watch.Elapsed.TotalMilliseconds;
        var applyJitMs = (System.Runtime.JitInfo.GetCompilationTime() - applyJitBefore).TotalMilliseconds;
        var applyJitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - applyMethodsBefore;

        // A second replay into a fresh document: the same work with the code already compiled.
        GC.Collect();
        watch.Restart();
        trace.ReplayInto(new YDoc(new YDocOptions { ClientId = clientId }));
        var applyWarmMs = watch.Elapsed.TotalMilliseconds;
        if (text.ToString() != trace.EndContent)
        {
            throw new InvalidOperationException("The replayed text differs from the trace's endContent.");
        }

        // Encode and load are timed twice: as they come, and right after a forced full collection. The better of
        // the two is reported, in both implementations (a forced gc() slows yjs down, a collection helps .NET).
        watch.Restart();
        update = doc.EncodeStateAsUpdate();
        var encodeMs = watch.Elapsed.TotalMilliseconds;
        GC.Collect();
        watch.Restart();
        var again = doc.EncodeStateAsUpdate();
        encodeMs = Math.Min(encodeMs, watch.Elapsed.TotalMilliseconds);
        if (!again.AsSpan().SequenceEqual(update))
        {
            throw new InvalidOperationException("Encoding is not deterministic.");
        }

        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var coldMs = TimeLoad(update);
        var coldJitMs = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds;
        var coldJitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - methodsBefore;
        var plain = MedianLoad(update, collect: false);
        var collected = MedianLoad(update, collect: true);
        var heap = MeasureHeap(update, trace.EndContent);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = "FrameLord.Sync.Crdt",
            ["ops"] = patches.Length,
            ["text_length"] = text.Length,
            ["apply_ms"] = Math.Round(applyMs, 1),
            ["apply_warm_ms"] = Math.Round(applyWarmMs, 1),
            ["apply_jit_ms"] = Math.Round(applyJitMs, 1),
            ["apply_jit_methods"] = applyJitMethods,
            ["encode_ms"] = Math.Round(encodeMs, 2),
            ["update_bytes"] = update.Length,
            ["load_ms"] = Math.Round(Math.Min(plain, collected), 2),
            ["load_cold_ms"] = Math.Round(coldMs, 2),
            ["load_cold_jit_ms"] = Math.Round(coldJitMs, 2),
            ["load_cold_jit_methods"] = coldJitMethods,
            ["load_plain_ms"] = Math.Round(plain, 2),
            ["load_after_gc_ms"] = Math.Round(collected, 2),
            ["heap_bytes"] = heap,
        });
    }

    private static double TimeLoad(byte[] update)
    {
        var watch = Stopwatch.StartNew();
        var loaded = new YDoc(new YDocOptions { ClientId = 2 });
        loaded.ApplyUpdate(update);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double MedianLoad(byte[] update, bool collect)
    {
        var times = new double[5];
        for (var i = 0; i < times.Length; i++)
        {
            if (collect)
            {
                GC.Collect();
            }

            times[i] = TimeLoad(update);
        }

        Array.Sort(times);
        return times[times.Length / 2];
    }

    private static long MeasureHeap(byte[] update, string expected)
    {
        // Heap held by a loaded document: managed memory after full collections, with and without four loaded
        // documents, divided by four (the same method as the yjs script).
        Settle();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var held = new YDoc[4];
        for (var i = 0; i < held.Length; i++)
        {
            held[i] = new YDoc(new YDocOptions { ClientId = 3 });
            held[i].ApplyUpdate(update);
        }

        Settle();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var doc in held)
        {
            if (doc.GetText("text").ToString() != expected)
            {
                throw new InvalidOperationException("The loaded document differs from the trace's endContent.");
            }
        }

        GC.KeepAlive(held);
        return (after - before) / held.Length;
    }

    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static string RunYjs(string file, ulong clientId, string updatePath) =>
        RunNode("trace.mjs", [file, "--client-id", clientId.ToString(CultureInfo.InvariantCulture), "--write-update", updatePath]);

    /// <summary>Runs a script of eng/yjs with node --expose-gc and returns its output line.</summary>
    public static string RunNode(string script, IEnumerable<string> args)
    {
        var path = Path.Combine(FindRepoRoot(), "eng", "yjs", script);
        var psi = new ProcessStartInfo("node", new[] { "--expose-gc", path }.Concat(args))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Cannot start node.");
        var line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/yjs/{script} failed (run npm ci --prefix eng/yjs first).");
        }

        return line;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FrameLord.Sync.slnx not found.");
    }
}
