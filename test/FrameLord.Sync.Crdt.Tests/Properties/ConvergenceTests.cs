using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.Properties;

/// <summary>
/// Convergence: 5 replicas edit text (with formatting), maps, arrays and nested types while their updates
/// are delivered in random order, dropped, duplicated, and held while a replica is disconnected. After all
/// reconnect and sync by state vector, every replica has the same content, state vector and delete set, no
/// pending data, and a replica rebuilt from the merge of every update ever emitted equals them.
/// </summary>
public sealed class ConvergenceTests
{
    private const int Replicas = 5;

    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(150, 5000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void FiveReplicas_RandomDelivery_Converge(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: seed % 3 != 0, nested: true) { AvoidSurrogateSplits = true };
        var docs = new YDoc[Replicas];
        var online = new bool[Replicas];
        var inbox = new List<(int To, byte[] Update)>();
        var allUpdates = new List<byte[]>();
        for (var i = 0; i < Replicas; i++)
        {
            var index = i;
            docs[i] = new YDoc(new YDocOptions { ClientId = (ulong)(100 + (i * 7919)), Gc = rng.Next(4) != 0 });
            online[i] = true;
            docs[i].UpdateV1 += (_, e) =>
            {
                if (!e.Local)
                {
                    return;
                }

                allUpdates.Add(e.Update);
                for (var to = 0; to < Replicas; to++)
                {
                    if (to != index)
                    {
                        inbox.Add((to, e.Update));
                    }
                }
            };
        }

        var steps = 150 + rng.Next(100);
        for (var step = 0; step < steps; step++)
        {
            var roll = rng.Next(100);
            if (roll < 45)
            {
                var d = docs[rng.Next(Replicas)];
                var n = 1 + rng.Next(3);
                d.Transact(_ =>
                {
                    for (var a = 0; a < n; a++)
                    {
                        if (gen.RandomAction(d) is { } action)
                        {
                            ScriptRunner.RunAction(d, action);
                        }
                    }
                });
            }
            else if (roll < 85 && inbox.Count > 0)
            {
                // Deliver a random message (reorder); drop or duplicate some; hold those for offline replicas.
                var k = rng.Next(inbox.Count);
                var (to, update) = inbox[k];
                if (!online[to])
                {
                    continue;
                }

                var fate = rng.Next(10);
                if (fate != 0)
                {
                    docs[to].ApplyUpdate(update);
                }

                if (fate != 1)
                {
                    inbox.RemoveAt(k);
                }
            }
            else if (roll < 92)
            {
                var r = rng.Next(Replicas);
                online[r] = !online[r];
            }
            else
            {
                // A direct sync exchange between two online replicas (state vector, then the diff).
                var a = rng.Next(Replicas);
                var b = rng.Next(Replicas);
                if (a != b && online[a] && online[b])
                {
                    docs[b].ApplyUpdate(docs[a].EncodeStateAsUpdate(docs[b].EncodeStateVector()));
                }
            }
        }

        // Reconnect everyone and sync all pairs until nothing changes.
        for (var round = 0; round < 3; round++)
        {
            for (var a = 0; a < Replicas; a++)
            {
                for (var b = 0; b < Replicas; b++)
                {
                    if (a != b)
                    {
                        docs[b].ApplyUpdate(docs[a].EncodeStateAsUpdate(docs[b].EncodeStateVector()));
                    }
                }
            }
        }

        var roots = ScenarioGenerator.Roots;
        var expected = ContentView.State(docs[0], roots.DeepClone().AsArray());
        for (var i = 0; i < Replicas; i++)
        {
            var actual = ContentView.State(docs[i], roots.DeepClone().AsArray());
            Assert.True(JsonNode.DeepEquals(expected, actual), $"seed {seed}: replica {i} differs from replica 0:\n{expected.ToJsonString()}\n{actual.ToJsonString()}");
            Assert.False(docs[i].HasPending, $"seed {seed}: replica {i} still has pending data");
        }

        var rebuilt = new YDoc(new YDocOptions { ClientId = 1 });
        if (allUpdates.Count > 0)
        {
            rebuilt.ApplyUpdate(YUpdate.MergeUpdates(allUpdates));
        }

        var fromMerge = ContentView.State(rebuilt, roots.DeepClone().AsArray());
        Assert.True(JsonNode.DeepEquals(expected, fromMerge), $"seed {seed}: replica rebuilt from merged updates differs:\n{expected.ToJsonString()}\n{fromMerge.ToJsonString()}");
    }
}
