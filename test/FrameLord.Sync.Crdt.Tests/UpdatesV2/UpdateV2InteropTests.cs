using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.UpdatesV2;

/// <summary>
/// The V2 update format against npm yjs 13.6.33 on random multi-client documents (text with formatting and
/// embeds, maps, arrays, nested types, GC on and off) and on every special content kind: for every replica's
/// full update and every transaction update, <c>convertUpdateFormatV1ToV2</c>, <c>convertUpdateFormatV2ToV1</c>,
/// <c>encodeStateAsUpdateV2</c> (whole and against another replica's state vector) and <c>applyUpdateV2</c>
/// must give the bytes yjs gives.
/// </summary>
public sealed class UpdateV2InteropTests(NodeHarness harness)
{
    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(40, 18_000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomDocuments_V2BytesMatchYjs(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: rng.Next(2) == 0, nested: true);
        gen.AddClients(1, 2, (ulong)rng.Next(3, 1_000_000));
        gen.RandomSteps(30 + rng.Next(50));
        if (rng.Next(2) == 0)
        {
            gen.SyncAll();
        }

        // Each replica's own V2 encoding, whole and against another's state vector, in the same script on yjs.
        for (var i = 0; i < gen.ClientCount; i++)
        {
            gen.Add(new JsonObject { ["do"] = "encodeV2", ["doc"] = i });
            gen.Add(new JsonObject { ["do"] = "encodeV2", ["doc"] = i, ["svOf"] = (i + 1) % gen.ClientCount });
        }

        InteropAssert.RunBoth(harness, gen.Steps, gen.Runner.Results, $"seed {seed}");

        var docs = gen.Runner.Docs;
        var updates = new List<byte[]>();
        foreach (var doc in docs)
        {
            updates.Add(doc.EncodeStateAsUpdate());
        }

        foreach (var s in gen.TxnSteps)
        {
            foreach (var u in gen.Runner.Results[s]!.AsArray())
            {
                updates.Add(Convert.FromBase64String(u!.GetValue<string>()));
            }
        }

        Check(updates, docs[1].EncodeStateVector(), $"seed {seed}");
    }

    [Fact]
    public void EveryContentKind_V2BytesMatchYjs()
    {
        var updates = harness.Call(new JsonObject { ["cmd"] = "specialContent" })!.AsArray()
            .Select(u => Convert.FromBase64String(u!.GetValue<string>())).ToList();
        Check(updates, [0], "special content");
    }

    [Fact]
    public void EmptyDocument_IsTheEmptyV2Update()
    {
        Assert.Equal(YUpdate.EmptyV2.ToArray(), new YDoc().EncodeStateAsUpdateV2());
        Assert.Equal(YUpdate.Empty.ToArray(), YUpdate.ConvertUpdateFormatV2ToV1(YUpdate.EmptyV2));
    }

    [Fact]
    public void MalformedV2_ThrowsFormatException_AndLeavesTheDocumentUnchanged()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        doc.GetText("t").Insert(0, "hello");
        var v2 = doc.EncodeStateAsUpdateV2();
        var target = new YDoc();
        for (var cut = 0; cut < v2.Length; cut++)
        {
            Assert.Throws<YjsFormatException>(() => target.ApplyUpdateV2(v2.AsSpan(0, cut)));
        }

        // A huge struct count in a tiny update: rejected, not looped over.
        byte[] hostile = [0, 0, 2, 1, 0, 0, 0, 2, 4, 0, 1, 0, 0, 2, 0x7F, 0xFF, 0xFF, 0xFF, 0x0F, 5, 0, 0];
        Assert.Throws<YjsFormatException>(() => YUpdate.ValidateV2(hostile));
        Assert.Equal(string.Empty, target.GetText("t").ToString());
        target.ApplyUpdateV2(v2);
        Assert.Equal("hello", target.GetText("t").ToString());
    }

    private void Check(List<byte[]> updates, byte[] sv, string label)
    {
        var theirs = harness.Call(new JsonObject
        {
            ["cmd"] = "v2",
            ["updates"] = new JsonArray(updates.Select(u => (JsonNode)Convert.ToBase64String(u)).ToArray()),
            ["sv"] = Convert.ToBase64String(sv),
        })!.AsArray();
        for (var i = 0; i < updates.Count; i++)
        {
            var at = $"{label}, update {i}";
            var expected = theirs[i]!;
            var v2 = YUpdate.ConvertUpdateFormatV1ToV2(updates[i]);
            Equal(expected["v2"], v2, $"{at}: convertUpdateFormatV1ToV2");
            Equal(expected["back"], YUpdate.ConvertUpdateFormatV2ToV1(v2), $"{at}: convertUpdateFormatV2ToV1");

            var loaded = new YDoc(new YDocOptions { ClientId = 5 });
            loaded.ApplyUpdate(updates[i]);
            Equal(expected["state"], loaded.EncodeStateAsUpdateV2(), $"{at}: encodeStateAsUpdateV2");
            Equal(expected["stateSv"], loaded.EncodeStateAsUpdateV2(sv), $"{at}: encodeStateAsUpdateV2 against a state vector");

            var fromV2 = new YDoc(new YDocOptions { ClientId = 6 });
            fromV2.ApplyUpdateV2(v2);
            Equal(expected["appliedV1"], fromV2.EncodeStateAsUpdate(), $"{at}: applyUpdateV2");
        }
    }

    private static void Equal(JsonNode? expected, byte[] actual, string what)
    {
        var e = expected!.GetValue<string>();
        var a = Convert.ToBase64String(actual);
        Assert.True(e == a, $"{what} differs\nyjs:  {Convert.ToHexString(Convert.FromBase64String(e))}\nours: {Convert.ToHexString(actual)}");
    }
}
