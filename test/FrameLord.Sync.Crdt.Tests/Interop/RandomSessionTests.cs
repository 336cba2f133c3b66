using System.Text.Json.Nodes;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// Random multi-client sessions run identically on C# and on npm yjs 13.6.33: every transaction's update,
/// every sync's bytes, every state (content, state vector, delete set, pending) must be identical, then
/// each side decodes the other's final bytes, and merge/diff/state-vector-from-update outputs are compared.
/// </summary>
public sealed class RandomSessionTests(NodeHarness harness)
{
    public static TheoryData<int> Seeds(int count, int offset)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < count; i++)
        {
            data.Add(offset + i);
        }

        return data;
    }

    public static TheoryData<int> PlainSeeds => Seeds(40, 1000);

    public static TheoryData<int> RichSeeds => Seeds(40, 2000);

    [Theory]
    [MemberData(nameof(PlainSeeds))]
    public void Session_TextMapArrayNested_MatchesYjs(int seed) => RunSession(seed, formatting: false);

    [Theory]
    [MemberData(nameof(RichSeeds))]
    public void Session_WithFormattingAndEmbeds_MatchesYjs(int seed) => RunSession(seed, formatting: true);

    private void RunSession(int seed, bool formatting)
    {
        var label = $"seed {seed} (formatting: {formatting})";
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting, nested: true);
        ulong[] ids = rng.Next(3) switch
        {
            0 => [1, 2, 3],
            1 => [(1UL << 53) - 1, 4294967295, 7],
            _ => [(ulong)rng.Next(1, 1000), (ulong)rng.Next(1000, 100000)],
        };
        gen.AddClients(ids);
        gen.RandomSteps(40 + rng.Next(40));
        gen.SyncAll();
        for (var i = 0; i < gen.ClientCount; i++)
        {
            gen.Add(new JsonObject { ["do"] = "state", ["doc"] = i, ["roots"] = ScenarioGenerator.Roots.DeepClone() });
            gen.Add(new JsonObject { ["do"] = "encode", ["doc"] = i });
        }

        // Merge every transaction update, diff it against a replica, and derive its state vector.
        var refs = new JsonArray();
        foreach (var s in gen.TxnSteps)
        {
            var events = gen.Runner.Results[s]!.AsArray();
            for (var e = 0; e < events.Count; e++)
            {
                refs.Add(new JsonArray(s, e));
            }
        }

        if (refs.Count > 0)
        {
            var merged = gen.Steps.Count;
            gen.Add(new JsonObject { ["do"] = "merge", ["refs"] = refs });
            gen.Add(new JsonObject { ["do"] = "diff", ["ref"] = new JsonArray(merged, 0), ["svOf"] = 0 });
            gen.Add(new JsonObject { ["do"] = "svFromUpdate", ["ref"] = new JsonArray(merged, 0) });
            var firstHalf = new JsonArray(refs.Take(refs.Count / 2).Select(r => r!.DeepClone()).ToArray());
            if (firstHalf.Count > 1)
            {
                var half = gen.Steps.Count;
                gen.Add(new JsonObject { ["do"] = "merge", ["refs"] = firstHalf });
                gen.Add(new JsonObject { ["do"] = "diff", ["ref"] = new JsonArray(merged, 0), ["svOf"] = 1 });
                gen.Add(new JsonObject { ["do"] = "svFromUpdate", ["ref"] = new JsonArray(half, 0) });
            }
        }

        var js = InteropAssert.RunBoth(harness, gen.Steps, gen.Runner.Results, label);

        // Cross-decode the final full updates: yjs bytes into a fresh C# doc, C# bytes into a fresh yjs doc.
        for (var i = 0; i < gen.ClientCount; i++)
        {
            var encodeStep = gen.Steps.FindIndex(s => s["do"]!.GetValue<string>() == "encode" && s["doc"]!.GetValue<int>() == i);
            var jsBytes = js[encodeStep]![0]!.GetValue<string>();
            var fresh = new YDoc(new YDocOptions { ClientId = 999_999 });
            fresh.ApplyUpdate(Convert.FromBase64String(jsBytes));
            var expected = gen.Runner.Results[encodeStep - 1]!.AsObject();
            var actual = ContentView.State(fresh, ScenarioGenerator.Roots.DeepClone().AsArray());
            Assert.True(expected["content"]!.GetValue<string>() == actual["content"]!.GetValue<string>(), $"{label}: C# decoding of yjs bytes differs");
            Assert.Equal(expected["sv"]!.GetValue<string>(), actual["sv"]!.GetValue<string>());
            Assert.Equal(expected["ds"]!.GetValue<string>(), actual["ds"]!.GetValue<string>());

            var csBytes = gen.Runner.Results[encodeStep]![0]!.GetValue<string>();
            var loaded = harness.Call(new JsonObject { ["cmd"] = "load", ["update"] = csBytes, ["roots"] = ScenarioGenerator.Roots.DeepClone() })!;
            Assert.True(JsonNode.DeepEquals(expected, loaded), $"{label}: yjs decoding of C# bytes differs:\n{expected.ToJsonString()}\n{loaded.ToJsonString()}");
        }
    }
}
