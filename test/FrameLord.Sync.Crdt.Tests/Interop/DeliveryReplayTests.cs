using System.Text.Json.Nodes;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// The convergence scenario (5 replicas, random delivery with drops, duplicates, reordering and offline
/// replicas) recorded as a script and replayed on yjs: every step's bytes and state must match.
/// </summary>
public sealed class DeliveryReplayTests(NodeHarness harness)
{
    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(40, 5000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomDelivery_MatchesYjsStepByStep(int seed)
    {
        var gen = Build(seed);
        InteropAssert.RunBoth(harness, gen.Steps, gen.Runner.Results, $"seed {seed}");
    }

    public static ScenarioGenerator Build(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: seed % 3 != 0, nested: true);
        const int replicas = 5;
        gen.AddClients(100, 8019, 15938, 23857, 31776);
        var inbox = new List<(int To, JsonArray Ref)>();
        var online = Enumerable.Repeat(true, replicas).ToArray();
        for (var step = 0; step < 150; step++)
        {
            var roll = rng.Next(100);
            if (roll < 45)
            {
                var doc = rng.Next(replicas);
                var n = 1 + rng.Next(3);
                var remaining = n;
                var txn = gen.Runner.RunInteractiveTxn(doc, d => remaining-- > 0 ? gen.RandomAction(d) : null);
                if (txn is null)
                {
                    continue;
                }

                var index = gen.Steps.Count;
                gen.Steps.Add(txn);
                var events = gen.Runner.Results[index]!.AsArray();
                for (var e = 0; e < events.Count; e++)
                {
                    for (var to = 0; to < replicas; to++)
                    {
                        if (to != doc)
                        {
                            inbox.Add((to, new JsonArray(index, e)));
                        }
                    }
                }
            }
            else if (roll < 85 && inbox.Count > 0)
            {
                var k = rng.Next(inbox.Count);
                var (to, r) = inbox[k];
                if (!online[to])
                {
                    continue;
                }

                var fate = rng.Next(10);
                if (fate != 0)
                {
                    gen.Add(new JsonObject { ["do"] = "apply", ["doc"] = to, ["ref"] = r.DeepClone() });
                }

                if (fate != 1)
                {
                    inbox.RemoveAt(k);
                }
            }
            else if (roll < 92)
            {
                var r = rng.Next(replicas);
                online[r] = !online[r];
            }
            else
            {
                var a = rng.Next(replicas);
                var b = rng.Next(replicas);
                if (a != b && online[a] && online[b])
                {
                    gen.Add(new JsonObject { ["do"] = "sync", ["from"] = a, ["to"] = b });
                }
            }
        }

        for (var round = 0; round < 2; round++)
        {
            for (var a = 0; a < replicas; a++)
            {
                for (var b = 0; b < replicas; b++)
                {
                    if (a != b)
                    {
                        gen.Add(new JsonObject { ["do"] = "sync", ["from"] = a, ["to"] = b });
                    }
                }
            }
        }

        for (var i = 0; i < replicas; i++)
        {
            gen.Add(new JsonObject { ["do"] = "state", ["doc"] = i, ["roots"] = ScenarioGenerator.Roots.DeepClone() });
        }

        return gen;
    }
}
