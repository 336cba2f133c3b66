using System.Text.Json.Nodes;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// Out-of-order delivery compared with yjs: every transaction update of a random session is delivered to a
/// fresh replica shuffled and partly duplicated. After each delivery the state (content, state vector, delete
/// set, pending flag) and the full encoding (which includes pending structs and deletions) must match yjs.
/// </summary>
public sealed class OutOfOrderTests(NodeHarness harness)
{
    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(30, 3000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ShuffledDelivery_MatchesYjsAfterEveryUpdate(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: seed % 2 == 0, nested: true);
        gen.AddClients(11, 22, 33);
        gen.RandomSteps(30 + rng.Next(30));
        var updates = new List<JsonArray>();
        foreach (var s in gen.TxnSteps)
        {
            var events = gen.Runner.Results[s]!.AsArray();
            for (var e = 0; e < events.Count; e++)
            {
                updates.Add(new JsonArray(s, e));
            }
        }

        // Shuffle and duplicate a few.
        var order = updates.Concat(updates.Where(_ => rng.Next(5) == 0)).OrderBy(_ => rng.Next()).ToList();
        var receiver = gen.ClientCount;
        gen.Add(new JsonObject { ["do"] = "new", ["client"] = 44UL, ["gc"] = rng.Next(2) == 0 });
        foreach (var r in order)
        {
            gen.Add(new JsonObject { ["do"] = "apply", ["doc"] = receiver, ["ref"] = r.DeepClone() });
            gen.Add(new JsonObject { ["do"] = "state", ["doc"] = receiver, ["roots"] = ScenarioGenerator.Roots.DeepClone() });
            if (rng.Next(4) == 0)
            {
                gen.Add(new JsonObject { ["do"] = "encode", ["doc"] = receiver });
                gen.Add(new JsonObject { ["do"] = "encode", ["doc"] = receiver, ["svOf"] = rng.Next(gen.ClientCount) });
            }
        }

        gen.Add(new JsonObject { ["do"] = "encode", ["doc"] = receiver });
        InteropAssert.RunBoth(harness, gen.Steps, gen.Runner.Results, $"seed {seed}");
        Assert.False(gen.Runner.Docs[receiver].HasPending, $"seed {seed}: pending data left after all updates arrived");
    }
}
