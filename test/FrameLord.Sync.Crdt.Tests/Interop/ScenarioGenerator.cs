using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// Builds random multi-client scripts (local edits on text with formatting, maps, arrays and nested types;
/// syncs; encodes; merges and diffs) by running each step on C# replicas as it goes, so every generated
/// action is valid for the current state.
/// </summary>
public sealed class ScenarioGenerator(Random rng, bool formatting, bool nested)
{
    public static readonly JsonArray Roots = [new JsonArray("text", "t"), new JsonArray("map", "m"), new JsonArray("array", "a")];

    private static readonly string[] Texts = ["a", "hello", "😀", "x😀y", "\n", "ab cd", "Ω", "中文", "🎉🎉"];
    private static readonly string[] Keys = ["k1", "k2", "k3", "title", "body"];

    private readonly List<int> _txnSteps = [];

    public ScriptRunner Runner { get; } = new();

    /// <summary>
    /// Keeps text edits off the middle of surrogate pairs. yjs replaces a split pair by U+FFFD only on the
    /// replicas that split the item, so its replicas can end up with different text (reproduced against yjs
    /// by the delivery replay tests); convergence properties therefore avoid such splits.
    /// </summary>
    public bool AvoidSurrogateSplits { get; init; }

    public List<JsonObject> Steps { get; } = [];

    public int ClientCount { get; private set; }

    public IReadOnlyList<int> TxnSteps => _txnSteps;

    public JsonNode? Add(JsonObject step)
    {
        Steps.Add(step);
        return Runner.Run((JsonObject)step.DeepClone());
    }

    public void AddClients(params ulong[] clientIds)
    {
        foreach (var id in clientIds)
        {
            Add(new JsonObject { ["do"] = "new", ["client"] = id, ["gc"] = rng.Next(5) != 0 });
        }

        ClientCount += clientIds.Length;
    }

    /// <summary>Declares replicas created by hand-written "new" steps.</summary>
    public void SetClientCount(int count) => ClientCount = count;

    /// <summary>Random edits and syncs between the clients.</summary>
    public void RandomSteps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var roll = rng.Next(100);
            if (roll < 70)
            {
                var doc = rng.Next(ClientCount);
                var n = 1 + rng.Next(rng.Next(4) == 0 ? 4 : 1);
                var remaining = n;
                var step = Runner.RunInteractiveTxn(doc, d => remaining-- > 0 ? RandomAction(d) : null);
                if (step is not null)
                {
                    _txnSteps.Add(Steps.Count);
                    Steps.Add(step);
                }
            }
            else if (roll < 92 && ClientCount > 1)
            {
                var from = rng.Next(ClientCount);
                var to = (from + 1 + rng.Next(ClientCount - 1)) % ClientCount;
                Add(new JsonObject { ["do"] = "sync", ["from"] = from, ["to"] = to });
            }
            else
            {
                Add(new JsonObject { ["do"] = "state", ["doc"] = rng.Next(ClientCount), ["roots"] = Roots.DeepClone() });
            }
        }
    }

    /// <summary>Syncs everyone with everyone (twice around the ring) so all replicas converge.</summary>
    public void SyncAll()
    {
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < ClientCount; i++)
            {
                Add(new JsonObject { ["do"] = "sync", ["from"] = i, ["to"] = (i + 1) % ClientCount });
            }
        }
    }

    /// <summary>A random valid action on one of the document's types (roots and nested), or null.</summary>
    public JsonArray? RandomAction(YDoc doc)
    {
        // Only the chosen root is looked up (and so typed), as yjs does when it runs the action.
        var r = Roots[rng.Next(Roots.Count)]!;
        var kind = r[0]!.GetValue<string>();
        var name = r[1]!.GetValue<string>();
        var targets = new List<(AbstractType Type, JsonArray Path)>();
        Collect(ContentView.Root(doc, kind, name), new JsonArray(kind, name), targets);
        var (type, path) = targets[rng.Next(targets.Count)];
        return type switch
        {
            YText text => TextAction(text, path),
            YMap map => MapAction(map, path),
            YArray array => ArrayAction(array, path),
            _ => null,
        };
    }

    private static void Collect(AbstractType type, JsonArray path, List<(AbstractType, JsonArray)> targets)
    {
        targets.Add((type, path));
        if (path.Count > 6)
        {
            return;
        }

        switch (type)
        {
            case YMap map:
                foreach (var (key, value) in map.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    if (value is AbstractType child)
                    {
                        var p = (JsonArray)path.DeepClone();
                        p.Add(key);
                        Collect(child, p, targets);
                    }
                }

                break;
            case YArray array:
                var items = array.ToArray();
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is AbstractType child)
                    {
                        var p = (JsonArray)path.DeepClone();
                        p.Add(i);
                        Collect(child, p, targets);
                    }
                }

                break;
        }
    }

    private JsonNode? Attributes()
    {
        if (!formatting || rng.Next(3) != 0)
        {
            return null;
        }

        return rng.Next(5) switch
        {
            0 => new JsonObject { ["bold"] = true },
            1 => new JsonObject { ["italic"] = true, ["bold"] = null },
            2 => new JsonObject { ["color"] = "#f00" },
            3 => new JsonObject { ["bold"] = null },
            _ => new JsonObject(),
        };
    }

    private JsonArray? TextAction(YText text, JsonArray path)
    {
        var len = text.Length;
        var units = AvoidSurrogateSplits ? Units(text) : null;
        int Fix(int i) => units is not null && i > 0 && i < units.Length && char.IsHighSurrogate(units[i - 1]) && char.IsLowSurrogate(units[i]) ? i - 1 : i;
        var roll = rng.Next(formatting ? 10 : 7);
        if (roll < 4 || len == 0)
        {
            var s = rng.Next(4) == 0 ? RandomLetters() : Texts[rng.Next(Texts.Length)];
            return new JsonArray("ti", path.DeepClone(), Fix(rng.Next(len + 1)), s, Attributes());
        }

        var index = Fix(rng.Next(len));
        var end = Math.Min(len, index + 1 + rng.Next(roll < 7 ? 4 : 5));
        end = Fix(end);
        if (end <= index)
        {
            end = Math.Min(len, index + 2);
        }

        if (roll < 7)
        {
            return new JsonArray("td", path.DeepClone(), index, end - index);
        }

        if (roll < 9)
        {
            var attrs = Attributes() ?? new JsonObject { ["bold"] = true };
            return new JsonArray("tf", path.DeepClone(), index, end - index, attrs);
        }

        return new JsonArray("te", path.DeepClone(), Fix(rng.Next(len + 1)), new JsonObject { ["image"] = "i" + rng.Next(3) + ".png" }, Attributes());
    }

    /// <summary>The text's UTF-16 units with each embed as one placeholder unit.</summary>
    private static string Units(YText text)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var op in text.ToDelta())
        {
            sb.Append(op.Insert as string ?? "E");
        }

        return sb.ToString();
    }

    private string RandomLetters()
    {
        var chars = new char[1 + rng.Next(6)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)('a' + rng.Next(26));
        }

        return new string(chars);
    }

    private JsonArray MapAction(YMap map, JsonArray path)
    {
        var key = Keys[rng.Next(Keys.Length)];
        if (rng.Next(4) == 0 && map.Count > 0)
        {
            return new JsonArray("md", path.DeepClone(), key);
        }

        return new JsonArray("ms", path.DeepClone(), key, RandomValue(allowTypes: true));
    }

    private JsonArray ArrayAction(YArray array, JsonArray path)
    {
        var len = array.Length;
        var roll = rng.Next(10);
        if (roll < 4 || len == 0)
        {
            var values = new JsonArray();
            var n = 1 + rng.Next(3);
            for (var i = 0; i < n; i++)
            {
                values.Add(RandomValue(allowTypes: i == 0));
            }

            return rng.Next(3) == 0
                ? new JsonArray("ap", path.DeepClone(), values)
                : new JsonArray("ai", path.DeepClone(), rng.Next(len + 1), values);
        }

        if (roll < 8)
        {
            var index = rng.Next(len);
            return new JsonArray("ad", path.DeepClone(), index, 1 + rng.Next(Math.Min(3, len - index)));
        }

        return new JsonArray("ag", path.DeepClone(), rng.Next(len));
    }

    private JsonNode? RandomValue(bool allowTypes)
    {
        if (allowTypes && nested && rng.Next(4) == 0)
        {
            return new JsonObject { ["$t"] = rng.Next(3) switch { 0 => "text", 1 => "map", _ => "array" } };
        }

        return rng.Next(12) switch
        {
            0 => rng.Next(100),
            1 => -rng.Next(1000),
            2 => 1L << 40,
            3 => 0.5,
            4 => 0.1,
            5 => "s" + rng.Next(100),
            6 => rng.Next(2) == 0,
            7 => null,
            8 => new JsonArray(1, "x", new JsonObject { ["n"] = 2 }),
            9 => new JsonObject { ["a"] = 1, ["b"] = new JsonArray(true, null), ["c"] = "😀" },
            10 => new JsonObject { ["$bin"] = Convert.ToBase64String([1, 2, (byte)rng.Next(256)]) },
            _ => 1e21,
        };
    }
}
