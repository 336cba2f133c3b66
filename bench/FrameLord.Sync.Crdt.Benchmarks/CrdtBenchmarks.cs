using BenchmarkDotNet.Attributes;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// The crdt-benchmarks suite (B1 to B4, N = 6000, the standard case names). As in that suite, every change
/// made on one document is encoded as an update and applied to a second document, and both costs are
/// measured together.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CrdtBenchmarks
{
    private const int N = 6000;
    private static readonly string[] Words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"];
    private EditingTrace? _trace;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(RepoRoot(), "..", "shared", "data", "editing-traces", "automerge-paper.json.gz");
        if (File.Exists(path))
        {
            _trace = EditingTrace.Load(path);
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>Two documents; every update of the first is applied to the second.</summary>
    private static (YDoc Source, YDoc Target) Pair()
    {
        var source = new YDoc(new YDocOptions { ClientId = 1 });
        var target = new YDoc(new YDocOptions { ClientId = 2 });
        source.UpdateV1 += (_, e) => target.ApplyUpdate(e.Update);
        return (source, target);
    }

    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException("Benchmark result check failed.");
        }
    }

    [Benchmark(Description = "[B1.1] Append N characters")]
    public void B1_1()
    {
        var (a, b) = Pair();
        var text = a.GetText("text");
        for (var i = 0; i < N; i++)
        {
            text.Insert(i, "a");
        }

        Check(b.GetText("text").Length == N);
    }

    [Benchmark(Description = "[B1.2] Insert string of length N")]
    public void B1_2()
    {
        var (a, b) = Pair();
        a.GetText("text").Insert(0, new string('a', N));
        Check(b.GetText("text").Length == N);
    }

    [Benchmark(Description = "[B1.3] Prepend N characters")]
    public void B1_3()
    {
        var (a, b) = Pair();
        var text = a.GetText("text");
        for (var i = 0; i < N; i++)
        {
            text.Insert(0, "a");
        }

        Check(b.GetText("text").Length == N);
    }

    [Benchmark(Description = "[B1.4] Insert N characters at random positions")]
    public void B1_4()
    {
        var (a, b) = Pair();
        var text = a.GetText("text");
        var rng = new Random(4);
        for (var i = 0; i < N; i++)
        {
            text.Insert(rng.Next(text.Length + 1), "a");
        }

        Check(b.GetText("text").Length == N);
    }

    [Benchmark(Description = "[B1.5] Insert N words at random positions")]
    public void B1_5()
    {
        var (a, b) = Pair();
        var text = a.GetText("text");
        var rng = new Random(5);
        for (var i = 0; i < N; i++)
        {
            text.Insert(rng.Next(text.Length + 1), Words[rng.Next(Words.Length)]);
        }

        Check(b.GetText("text").ToString() == text.ToString());
    }

    [Benchmark(Description = "[B1.6] Insert string, then delete it")]
    public void B1_6()
    {
        var (a, b) = Pair();
        var text = a.GetText("text");
        text.Insert(0, new string('a', N));
        text.Delete(0, N);
        Check(b.GetText("text").Length == 0);
    }

    [Benchmark(Description = "[B1.7] Insert/Delete strings at random positions")]
    public void B1_7()
    {
        var (a, b) = Pair();
        var text = a.GetText("text");
        var rng = new Random(7);
        for (var i = 0; i < N; i++)
        {
            var pos = rng.Next(text.Length + 1);
            if (rng.Next(2) == 0 && text.Length > pos)
            {
                text.Delete(pos, Math.Min(text.Length - pos, rng.Next(1, 4)));
            }
            else
            {
                text.Insert(pos, Words[rng.Next(Words.Length)]);
            }
        }

        Check(b.GetText("text").ToString() == text.ToString());
    }

    [Benchmark(Description = "[B1.8] Append N numbers")]
    public void B1_8()
    {
        var (a, b) = Pair();
        var array = a.GetArray("array");
        for (var i = 0; i < N; i++)
        {
            array.Insert(i, i);
        }

        Check(b.GetArray("array").Length == N);
    }

    [Benchmark(Description = "[B1.9] Insert Array of N numbers")]
    public void B1_9()
    {
        var (a, b) = Pair();
        var numbers = new object?[N];
        for (var i = 0; i < N; i++)
        {
            numbers[i] = i;
        }

        a.GetArray("array").Insert(0, numbers);
        Check(b.GetArray("array").Length == N);
    }

    [Benchmark(Description = "[B1.10] Prepend N numbers")]
    public void B1_10()
    {
        var (a, b) = Pair();
        var array = a.GetArray("array");
        for (var i = 0; i < N; i++)
        {
            array.Insert(0, i);
        }

        Check(b.GetArray("array").Length == N);
    }

    [Benchmark(Description = "[B1.11] Insert N numbers at random positions")]
    public void B1_11()
    {
        var (a, b) = Pair();
        var array = a.GetArray("array");
        var rng = new Random(11);
        for (var i = 0; i < N; i++)
        {
            array.Insert(rng.Next(array.Length + 1), i);
        }

        Check(b.GetArray("array").Length == N);
    }

    /// <summary>Two replicas edit concurrently, then exchange their full states.</summary>
    private static void Concurrent(Action<YText, Random> edit)
    {
        var a = new YDoc(new YDocOptions { ClientId = 1 });
        var b = new YDoc(new YDocOptions { ClientId = 2 });
        edit(a.GetText("text"), new Random(1));
        edit(b.GetText("text"), new Random(2));
        a.ApplyUpdate(b.EncodeStateAsUpdate(a.EncodeStateVector()));
        b.ApplyUpdate(a.EncodeStateAsUpdate(b.EncodeStateVector()));
        Check(a.GetText("text").ToString() == b.GetText("text").ToString());
    }

    [Benchmark(Description = "[B2.1] Concurrently insert string of length N at index 0")]
    public void B2_1() => Concurrent((text, _) => text.Insert(0, new string('a', N)));

    [Benchmark(Description = "[B2.2] Concurrently insert N characters at random positions")]
    public void B2_2() => Concurrent((text, rng) =>
    {
        for (var i = 0; i < N; i++)
        {
            text.Insert(rng.Next(text.Length + 1), "a");
        }
    });

    [Benchmark(Description = "[B2.3] Concurrently insert N words at random positions")]
    public void B2_3() => Concurrent((text, rng) =>
    {
        for (var i = 0; i < N; i++)
        {
            text.Insert(rng.Next(text.Length + 1), Words[rng.Next(Words.Length)]);
        }
    });

    [Benchmark(Description = "[B2.4] Concurrently insert & delete")]
    public void B2_4() => Concurrent((text, rng) =>
    {
        for (var i = 0; i < N; i++)
        {
            var pos = rng.Next(text.Length + 1);
            if (rng.Next(2) == 0 && text.Length > pos)
            {
                text.Delete(pos, Math.Min(text.Length - pos, rng.Next(1, 4)));
            }
            else
            {
                text.Insert(pos, Words[rng.Next(Words.Length)]);
            }
        }
    });

    /// <summary>20·√N clients each make one change; all updates are merged into one document.</summary>
    private static void ManyClients(Action<YDoc, int> change, Func<YDoc, bool> check)
    {
        var clients = (int)(20 * Math.Sqrt(N));
        var updates = new List<byte[]>(clients);
        for (var i = 0; i < clients; i++)
        {
            var doc = new YDoc(new YDocOptions { ClientId = (ulong)(i + 1) });
            change(doc, i);
            updates.Add(doc.EncodeStateAsUpdate());
        }

        var target = new YDoc(new YDocOptions { ClientId = (ulong)(clients + 1) });
        foreach (var u in updates)
        {
            target.ApplyUpdate(u);
        }

        Check(check(target));
    }

    [Benchmark(Description = "[B3.1] 20√N clients concurrently set number in Map")]
    public void B3_1() => ManyClients((doc, i) => doc.GetMap("map").Set("v", i), doc => doc.GetMap("map").Has("v"));

    [Benchmark(Description = "[B3.2] 20√N clients concurrently set Object in Map")]
    public void B3_2() => ManyClients(
        (doc, i) => doc.GetMap("map").Set("v", new Dictionary<string, object?> { ["name"] = "client " + i, ["index"] = i }),
        doc => doc.GetMap("map").Has("v"));

    [Benchmark(Description = "[B3.3] 20√N clients concurrently set String in Map")]
    public void B3_3() => ManyClients((doc, i) => doc.GetMap("map").Set("v", "value " + i), doc => doc.GetMap("map").Has("v"));

    [Benchmark(Description = "[B3.4] 20√N clients concurrently insert text in Array")]
    public void B3_4() => ManyClients((doc, i) => doc.GetArray("array").Insert(0, "text " + i), doc => doc.GetArray("array").Length == (int)(20 * Math.Sqrt(N)));

    [Benchmark(Description = "[B4] Apply real-world editing dataset")]
    public void B4()
    {
        if (_trace is null)
        {
            return;
        }

        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        _trace.ReplayInto(doc);
        Check(doc.GetText("text").ToString() == _trace.EndContent);
    }
}
