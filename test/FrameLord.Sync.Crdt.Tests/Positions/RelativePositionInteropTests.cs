using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Tests.Positions;

/// <summary>
/// Relative positions against npm yjs 13.6.33: random documents (a root text, a text nested in a map, a root
/// array), positions created at random indices and associations on both sides must encode to the same bytes
/// and JSON; after concurrent edits from a second replica (and a third that deletes a lot, with and without
/// GC), both sides must resolve every position (ours and theirs) to the same type and index.
/// </summary>
public sealed class RelativePositionInteropTests(NodeHarness harness)
{
    private static readonly string[] s_texts = ["a", "hello", "😀", "x😀y", "中文", " ", "🎉🎉"];

    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(30, 16_000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Positions_EncodeAndResolveAfterConcurrentEdits_MatchYjs(int seed)
    {
        var label = $"seed {seed}";
        var rng = new Random(seed);
        var gc = rng.Next(2) == 0;
        var a = new YDoc(new YDocOptions { ClientId = 1, Gc = gc });
        a.Transact(_ => a.GetMap("m").Set("inner", new YText()));
        for (var i = 0; i < 20 + rng.Next(30); i++)
        {
            Edit(a, rng);
        }

        var start = a.EncodeStateAsUpdate();
        var b = new YDoc(new YDocOptions { ClientId = 2, Gc = gc });
        b.ApplyUpdate(start);

        // Positions at random places on our side, in the three kinds of type.
        var create = new JsonArray();
        var ours = new List<YRelativePosition>();
        foreach (var (path, type) in Targets(a))
        {
            for (var i = 0; i < 12; i++)
            {
                var length = Length(type);
                var index = rng.Next(4) == 0 ? (rng.Next(2) == 0 ? 0 : length + rng.Next(2)) : rng.Next(length + 1);
                var assoc = rng.Next(5) switch { 0 => -1, 1 => 1, 2 => -3, _ => 0 };
                ours.Add(YRelativePosition.FromTypeIndex(type, index, assoc));
                create.Add(new JsonArray(path.DeepClone(), index, assoc));
            }
        }

        // Concurrent edits on both replicas, then a exchanges with b.
        for (var i = 0; i < 10 + rng.Next(20); i++)
        {
            Edit(rng.Next(2) == 0 ? a : b, rng);
        }

        b.ApplyUpdate(a.EncodeStateAsUpdate(b.EncodeStateVector()));
        a.ApplyUpdate(b.EncodeStateAsUpdate(a.EncodeStateVector()));
        var then = a.EncodeStateAsUpdate();

        var result = harness.Call(new JsonObject
        {
            ["cmd"] = "relpos",
            ["update"] = Convert.ToBase64String(start),
            ["create"] = create,
            ["then"] = Convert.ToBase64String(then),
            ["positions"] = new JsonArray(ours.Select(p => (JsonNode)Convert.ToBase64String(p.Encode())).ToArray()),
        })!;
        var created = result["created"]!.AsArray();
        var resolved = result["resolved"]!.AsArray();
        var resolvedJson = result["resolvedJson"]!.AsArray();
        var given = result["given"]!.AsArray();
        for (var i = 0; i < ours.Count; i++)
        {
            var at = $"{label}, position {i} ({create[i]!.ToJsonString()})";
            var theirBytes = Convert.FromBase64String(created[i]!["bytes"]!.GetValue<string>());
            Assert.True(theirBytes.AsSpan().SequenceEqual(ours[i].Encode()), $"{at}: bytes differ");
            Assert.True(created[i]!["json"]!.GetValue<string>() == ours[i].ToJson(), $"{at}: JSON {ours[i].ToJson()} vs {created[i]!["json"]}");
            // The bytes keep the item only when there is one (the type is dropped), so compare decoded forms.
            Assert.Equal(YRelativePosition.Decode(ours[i].Encode()), YRelativePosition.Decode(theirBytes));
            Assert.Equal(theirBytes, YRelativePosition.Decode(theirBytes).Encode());
            Assert.Equal(ours[i], YRelativePosition.FromJson(ours[i].ToJson()));

            var mine = Describe(a, ours[i].ToAbsolute(a, followUndoneDeletions: false));
            Assert.True(mine == resolved[i]?.ToJsonString(), $"{at}: resolved {mine} vs {resolved[i]?.ToJsonString()}");
            Assert.True(mine == resolvedJson[i]?.ToJsonString(), $"{at}: resolved from JSON {mine} vs {resolvedJson[i]?.ToJsonString()}");
            Assert.True(mine == given[i]?.ToJsonString(), $"{at}: yjs resolved our bytes to {given[i]?.ToJsonString()}");
            Assert.Equal(mine, Describe(b, ours[i].ToAbsolute(b, followUndoneDeletions: false)));
        }
    }

    [Fact]
    public void Decode_MalformedBytes_ThrowsFormatException()
    {
        Assert.Throws<YjsFormatException>(() => YRelativePosition.Decode([]));
        Assert.Throws<YjsFormatException>(() => YRelativePosition.Decode([0, 1]));
        Assert.Throws<YjsFormatException>(() => YRelativePosition.Decode([3, 1, 1]));
        Assert.Throws<YjsFormatException>(() => YRelativePosition.Decode([1, 200, 1]));
        Assert.Throws<YjsFormatException>(() => YRelativePosition.FromJson("[1]"));
        Assert.Throws<YjsFormatException>(() => YRelativePosition.FromJson("""{"item":{"client":-1,"clock":0}}"""));
    }

    [Fact]
    public void Decode_WithoutAssoc_IsZero()
    {
        var position = YRelativePosition.Decode([1, 1, (byte)'t']);
        Assert.Equal("t", position.TypeName);
        Assert.Equal(0, position.Assoc);
    }

    private static string? Describe(YDoc doc, YAbsolutePosition? position)
    {
        if (position is null)
        {
            return null;
        }

        var label = position.Type.TypeItem is { } item ? $"{item.Client}:{item.Clock}" : "root:" + position.Type.RootName;
        return new JsonArray(label, position.Index, position.Assoc).ToJsonString();
    }

    private static IEnumerable<(JsonArray Path, AbstractType Type)> Targets(YDoc doc)
    {
        yield return (new JsonArray("text", "t"), doc.GetText("t"));
        yield return (new JsonArray("map", "m", "inner"), (AbstractType)doc.GetMap("m").Get("inner")!);
        yield return (new JsonArray("array", "a"), doc.GetArray("a"));
    }

    private static int Length(AbstractType type) => type switch
    {
        YText t => t.Length,
        YArray a => a.Length,
        _ => throw new ArgumentException("unexpected type"),
    };

    private static void Edit(YDoc doc, Random rng)
    {
        var text = rng.Next(2) == 0 ? doc.GetText("t") : (YText)doc.GetMap("m").Get("inner")!;
        var array = doc.GetArray("a");
        switch (rng.Next(6))
        {
            case 0 or 1 or 2:
                text.Insert(SafeIndex(text, rng.Next(text.Length + 1)), s_texts[rng.Next(s_texts.Length)]);
                break;
            case 3 when text.Length > 0:
                {
                    var from = SafeIndex(text, rng.Next(text.Length));
                    var end = SafeIndex(text, Math.Min(text.Length, from + 1 + rng.Next(6)));
                    if (end > from)
                    {
                        text.Delete(from, end - from);
                    }

                    break;
                }

            case 4:
                array.Insert(rng.Next(array.Length + 1), rng.Next(100), "v");
                break;
            case 5 when array.Length > 0:
                {
                    var from = rng.Next(array.Length);
                    array.Delete(from, Math.Min(array.Length - from, 1 + rng.Next(3)));
                    break;
                }
        }
    }

    /// <summary>Moves an index off the middle of a surrogate pair (such splits make yjs replicas differ).</summary>
    private static int SafeIndex(YText text, int index)
    {
        var s = text.ToString();
        return index > 0 && index < s.Length && char.IsLowSurrogate(s[index]) ? index - 1 : index;
    }
}
