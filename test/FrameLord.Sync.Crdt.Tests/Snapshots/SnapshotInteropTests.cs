using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.Snapshots;

/// <summary>
/// Snapshots against npm yjs 13.6.33: random GC-free sessions of three replicas, a snapshot of replica 0 after
/// each round. Each snapshot must encode (V1 and V2) to yjs's bytes for the same document; rebuilding replica 0
/// at every snapshot from a copy loaded from its final update must give yjs's content and update bytes; and
/// <see cref="YSnapshot.Equals(YSnapshot)"/> must agree with <c>equalSnapshots</c>.
/// </summary>
public sealed class SnapshotInteropTests(NodeHarness harness)
{
    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(25, 19_000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Snapshots_EncodeRebuildAndCompare_MatchYjs(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: rng.Next(2) == 0, nested: true) { AvoidSurrogateSplits = true };
        foreach (var id in new ulong[] { 1, 2, 3 })
        {
            gen.Add(new JsonObject { ["do"] = "new", ["client"] = id, ["gc"] = false });
        }

        gen.SetClientCount(3);
        var doc = gen.Runner.Docs[0];
        var updates = new List<byte[]>();
        var snapshots = new List<YSnapshot>();
        for (var round = 0; round < 5; round++)
        {
            gen.RandomSteps(10 + rng.Next(15));
            updates.Add(doc.EncodeStateAsUpdate());
            snapshots.Add(YSnapshot.Of(doc));
        }

        // The same snapshot twice, to see equality where it holds.
        snapshots.Add(YSnapshot.Decode(snapshots[^1].Encode()));
        var theirs = harness.Call(new JsonObject
        {
            ["cmd"] = "snapshots",
            ["updates"] = new JsonArray(updates.Select(u => (JsonNode)Convert.ToBase64String(u)).ToArray()),
            ["snapshots"] = new JsonArray(snapshots.Select(s => (JsonNode)Convert.ToBase64String(s.Encode())).ToArray()),
            ["roots"] = ScenarioGenerator.Roots.DeepClone(),
        })!;
        var label = $"seed {seed}";
        for (var i = 0; i < updates.Count; i++)
        {
            Assert.Equal(theirs["encoded"]![i]!["v1"]!.GetValue<string>(), Convert.ToBase64String(snapshots[i].Encode()));
            Assert.Equal(theirs["encoded"]![i]!["v2"]!.GetValue<string>(), Convert.ToBase64String(snapshots[i].EncodeV2()));
            Assert.Equal(snapshots[i], YSnapshot.DecodeV2(snapshots[i].EncodeV2()));
        }

        var origin = new YDoc(new YDocOptions { ClientId = 77, Gc = false });
        origin.ApplyUpdate(updates[^1]);
        for (var i = 0; i < snapshots.Count; i++)
        {
            var rebuilt = YSnapshot.CreateDoc(origin, snapshots[i]);
            var expected = theirs["rebuilt"]![i]!;
            Assert.True(expected["content"]!.GetValue<string>() == ContentView.State(rebuilt, ScenarioGenerator.Roots.DeepClone().AsArray())["content"]!.GetValue<string>(), $"{label}: content at snapshot {i}");
            Assert.True(expected["update"]!.GetValue<string>() == Convert.ToBase64String(rebuilt.EncodeStateAsUpdate()), $"{label}: update at snapshot {i}");
            for (var j = 0; j < snapshots.Count; j++)
            {
                Assert.True(theirs["equal"]![i]![j]!.GetValue<bool>() == snapshots[i].Equals(snapshots[j]), $"{label}: equalSnapshots({i}, {j})");
            }
        }

        // Rebuilding splits and merges the origin's structs again: it is left as it was.
        Assert.Equal(theirs["originAfter"]!.GetValue<string>(), Convert.ToBase64String(origin.EncodeStateAsUpdate()));
    }

    [Fact]
    public void CreateDoc_FromGcDocument_Throws()
    {
        var doc = new YDoc();
        Assert.Throws<InvalidOperationException>(() => YSnapshot.CreateDoc(doc, YSnapshot.Of(doc)));
    }

    [Fact]
    public void Snapshot_OfEmptyDocument_EqualsEmpty()
    {
        Assert.Equal(YSnapshot.Empty, YSnapshot.Of(new YDoc()));
        Assert.Equal([0, 0], YSnapshot.Empty.Encode());
    }
}
