using System.Text.Json.Nodes;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// observeDeep on the three roots of every replica during random sessions (local edits, syncs, formatting):
/// the events (order, paths, text and array deltas with attributes, map key changes with old values) must be
/// the ones yjs reports.
/// </summary>
public sealed class ObserveTests(NodeHarness harness)
{
    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(30, 9000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ObserveDeepEvents_MatchYjs(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: seed % 2 == 0, nested: true);
        for (var i = 0; i < 3; i++)
        {
            gen.Add(new JsonObject { ["do"] = "new", ["client"] = (ulong)(i + 1) * 1000, ["gc"] = true, ["observe"] = ScenarioGenerator.Roots.DeepClone() });
        }

        gen.SetClientCount(3);
        for (var i = 0; i < 30; i++)
        {
            gen.RandomSteps(2);
            gen.Add(new JsonObject { ["do"] = "events" });
        }

        gen.SyncAll();
        gen.Add(new JsonObject { ["do"] = "events" });
        var eventSteps = gen.Steps.Select((s, i) => (s, i)).Where(x => x.s["do"]!.GetValue<string>() == "events").Select(x => x.i).ToList();
        Assert.Contains(eventSteps, i => gen.Runner.Results[i]!.AsArray().Count > 0);
        InteropAssert.RunBoth(harness, gen.Steps, gen.Runner.Results, $"seed {seed}");
    }
}
