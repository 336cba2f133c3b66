using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.Fuzz;

/// <summary>
/// Untrusted input: the committed corpus of hostile inputs and past failures, then seeded mutations
/// (bit flips, truncations, splices, inserted huge varUints) of valid updates from random sessions.
/// </summary>
public sealed class DecoderFuzzTests
{
    public static TheoryData<string, string> Corpus()
    {
        var data = new TheoryData<string, string>();
        var dir = Path.Combine(RepoPaths.Root, "test", "FrameLord.Sync.Crdt.Tests", "Fuzz", "corpus");
        foreach (var file in Directory.GetFiles(dir, "*.txt").OrderBy(f => f, StringComparer.Ordinal))
        {
            var lineNo = 0;
            foreach (var raw in File.ReadLines(file))
            {
                lineNo++;
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                data.Add($"{Path.GetFileName(file)}:{lineNo}", line.Replace(" ", string.Empty, StringComparison.Ordinal));
            }
        }

        return data;
    }

    private static YDoc Populated(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: true, nested: true);
        gen.AddClients(3, 5);
        gen.RandomSteps(30);
        gen.SyncAll();
        return gen.Runner.Docs[0];
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void CorpusInput_KeepsDecodingRules(string name, string hex)
    {
        DecodingRules.Check(Convert.FromHexString(hex), Populated(1), name);
    }

    [Fact]
    public void EmptyInput_ThrowsFormatException()
    {
        Assert.Throws<YjsFormatException>(() => YUpdate.Validate([]));
        Assert.Throws<YjsFormatException>(() => new YDoc().ApplyUpdate([]));
        Assert.Throws<YjsFormatException>(() => YUpdate.MergeUpdates([[]]));
        Assert.Throws<YjsFormatException>(() => YUpdate.DiffUpdate([], []));
        Assert.Throws<YjsFormatException>(() => YUpdate.EncodeStateVectorFromUpdate([]));
    }

    [Fact]
    public void DeepNesting_IsRejectedWithoutStackOverflow()
    {
        foreach (var depth in new[] { 300, 100_000 })
        {
            // An Any value: [[[[...]]]] nested `depth` deep.
            var bytes = new List<byte> { 1, 1, 3, 0, 8, 1, 1, (byte)'t', 1 };
            for (var i = 0; i < depth; i++)
            {
                bytes.Add(117);
                bytes.Add(1);
            }

            bytes.Add(126);
            bytes.Add(0);
            Assert.Throws<YjsFormatException>(() => YUpdate.Validate(bytes.ToArray()));
            DecodingRules.Check(bytes.ToArray(), Populated(2), $"nested any {depth}");

            // An embed whose JSON text nests `depth` deep.
            var json = new string('[', depth) + new string(']', depth);
            var embed = new List<byte> { 1, 1, 3, 0, 5, 1, 1, (byte)'t' };
            var utf8 = System.Text.Encoding.UTF8.GetBytes(json);
            var len = utf8.Length;
            while (len > 0x7F)
            {
                embed.Add((byte)(0x80 | (len & 0x7F)));
                len >>= 7;
            }

            embed.Add((byte)len);
            embed.AddRange(utf8);
            embed.Add(0);
            Assert.Throws<YjsFormatException>(() => YUpdate.Validate(embed.ToArray()));
        }
    }

    [Fact]
    public void DeeplyNestedTypes_ApplyAndDeleteWithoutRecursion()
    {
        // 20,000 maps each nested in the previous one, then the outermost deleted: no stack overflow on delete or GC.
        var source = new YDoc(new YDocOptions { ClientId = 9 });
        var map = source.GetMap("m");
        source.Transact(_ =>
        {
            var current = map.Set("c", new Types.YMap());
            for (var i = 0; i < 20_000; i++)
            {
                current = current.Set("c", new Types.YMap());
            }
        });
        var update = source.EncodeStateAsUpdate();
        var doc = new YDoc(new YDocOptions { ClientId = 10 });
        doc.ApplyUpdate(update);
        doc.GetMap("m").Delete("c");
        Assert.Equal(0, doc.GetMap("m").Count);
        var reloaded = new YDoc();
        reloaded.ApplyUpdate(doc.EncodeStateAsUpdate());
        Assert.Equal(doc.EncodeStateVector(), reloaded.EncodeStateVector());
    }

    public static TheoryData<int> MutationSeeds => RandomSessionTests.Seeds(30, 7000);

    [Theory]
    [MemberData(nameof(MutationSeeds))]
    public void MutatedUpdates_KeepDecodingRules(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: true, nested: true);
        gen.AddClients(3, 4294967295, (1UL << 53) - 1);
        gen.RandomSteps(40);
        gen.SyncAll();
        var seeds = new List<byte[]>();
        foreach (var result in gen.Runner.Results)
        {
            if (result is JsonArray arr)
            {
                foreach (var u in arr)
                {
                    seeds.Add(Convert.FromBase64String(u!.GetValue<string>()));
                }
            }
        }

        seeds.Add(gen.Runner.Docs[0].EncodeStateAsUpdate());
        var populated = Populated(seed + 1);
        for (var i = 0; i < 150; i++)
        {
            var input = Mutate(rng, seeds[rng.Next(seeds.Count)]);
            DecodingRules.Check(input, populated, $"seed {seed} case {i}");
        }
    }

    private static byte[] Mutate(Random rng, byte[] source)
    {
        var bytes = new List<byte>(source);
        var mutations = 1 + rng.Next(4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = rng.Next(bytes.Count);
            switch (rng.Next(7))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    bytes[at] = (byte)rng.Next(256);
                    break;
                case 3:
                    bytes.InsertRange(at, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
                    break;
                case 4:
                    bytes.RemoveAt(at);
                    break;
                case 5:
                    bytes.Insert(at, (byte)rng.Next(256));
                    break;
                default:
                    var len = Math.Min(bytes.Count - at, 1 + rng.Next(8));
                    bytes.InsertRange(rng.Next(bytes.Count), bytes.GetRange(at, len));
                    break;
            }
        }

        return bytes.ToArray();
    }
}
