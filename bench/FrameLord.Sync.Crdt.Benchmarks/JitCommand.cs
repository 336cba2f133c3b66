using System.Diagnostics.Tracing;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// <c>jit FILE.json.gz [top]</c>: replays the trace once, cold, and lists the methods compiled during the replay
/// with the time each took to compile (from the runtime's JIT events), longest first. For finding what makes
/// a first replay slower than later ones.
/// </summary>
public static class JitCommand
{
    public static int Run(string[] args)
    {
        var trace = EditingTrace.Load(args[1]);
        var top = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40;
        using var listener = new JitListener();
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        trace.ReplayInto(doc);
        var applyMs = watch.Elapsed.TotalMilliseconds;
        var methods = listener.Snapshot();
        Console.WriteLine($"apply {applyMs:F1} ms, {methods.Count} methods compiled, {methods.Sum(m => m.Ms):F1} ms");
        foreach (var (name, ms, il) in methods.OrderByDescending(m => m.Ms).Take(top))
        {
            Console.WriteLine($"{ms,8:F2} ms  IL {il,6}  {name}");
        }

        return 0;
    }

    private sealed class JitListener : EventListener
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<long, (DateTime Start, string Name, long Il)> _started = [];
        private readonly List<(string Name, double Ms, long Il)> _done = [];

        public List<(string Name, double Ms, long Il)> Snapshot()
        {
            lock (_lock)
            {
                return [.. _done];
            }
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.Payload is null || e.PayloadNames is null)
            {
                return;
            }

            object? Get(string name)
            {
                var i = e.PayloadNames.IndexOf(name);
                return i < 0 ? null : e.Payload[i];
            }

            var id = Convert.ToInt64(Get("MethodID") ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
            lock (_lock)
            {
                if (e.EventName == "MethodJittingStarted_V1")
                {
                    var name = $"{Get("MethodNamespace")}::{Get("MethodName")}";
                    _started[id] = (e.TimeStamp, name, Convert.ToInt64(Get("MethodILSize") ?? 0L, System.Globalization.CultureInfo.InvariantCulture));
                }
                else if (e.EventName is "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" && _started.Remove(id, out var start))
                {
                    _done.Add((start.Name, (e.TimeStamp - start.Start).TotalMilliseconds, start.Il));
                }
            }
        }
    }
}
