using System.Text.Json.Nodes;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// Content kinds that random sessions do not produce (subdocuments, XML types, binary, BigInt, undefined,
/// -0, float32/64, object-valued formats, nested embeds, garbage-collected nested types), written by yjs:
/// C# must decode them, re-encode them byte for byte, and yjs must read the C# bytes back to the same state.
/// </summary>
public sealed class SpecialContentTests(NodeHarness harness)
{
    [Fact]
    public void YjsUpdatesWithEveryContentKind_RoundTripByteForByte()
    {
        var updates = harness.Call(new JsonObject { ["cmd"] = "specialContent" })!.AsArray();
        Assert.True(updates.Count >= 6);
        for (var i = 0; i < updates.Count; i++)
        {
            var bytes = Convert.FromBase64String(updates[i]!.GetValue<string>());
            YUpdate.Validate(bytes);
            var doc = new YDoc(new YDocOptions { ClientId = 7 });
            doc.ApplyUpdate(bytes);
            Assert.False(doc.HasPending);
            var again = doc.EncodeStateAsUpdate();
            Assert.True(bytes.AsSpan().SequenceEqual(again), $"update {i}: re-encoding differs\nyjs: {Convert.ToHexString(bytes)}\nC#:  {Convert.ToHexString(again)}");
            var fromMerge = new YDoc(new YDocOptions { ClientId = 8 });
            fromMerge.ApplyUpdate(YUpdate.MergeUpdates([bytes, again]));
            Assert.Equal(bytes, fromMerge.EncodeStateAsUpdate());
            Assert.Equal(YUpdate.EncodeStateVectorFromUpdate(bytes), doc.EncodeStateVector());
        }

        // Typed reads of the values that need a .NET representation.
        var values = new YDoc();
        values.ApplyUpdate(Convert.FromBase64String(updates[3]!.GetValue<string>()));
        var m = values.GetMap("m");
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, m.Get("bin"));
        Assert.Equal(new System.Numerics.BigInteger(123456789012345), m.Get("big"));
        Assert.Same(YUndefined.Value, m.Get("undef"));
        Assert.True(m.Get("negzero") is double d && double.IsNegative(d) && d == 0);
        Assert.Equal(0.5, m.Get("f32"));
        Assert.Equal(0.1, m.Get("f64"));
        Assert.Equal(Math.Pow(2, 40) + 1, m.Get("large"));

        var sub = new YDoc();
        sub.ApplyUpdate(Convert.FromBase64String(updates[0]!.GetValue<string>()));
        Assert.Equal("sub-guid-1", sub.GetMap("m").Get<YSubdocReference>("sub")!.Guid);

        var xml = new YDoc();
        xml.ApplyUpdate(Convert.FromBase64String(updates[2]!.GetValue<string>()));
        var fragment = xml.GetXmlFragment("xml");
        Assert.Equal(3, fragment.Length);
        var element = Assert.IsType<Types.YXmlElement>(fragment.ToArray()[0]);
        Assert.Equal("p", element.NodeName);
        Assert.Equal("lead", element.Attributes["class"]);
    }
}
