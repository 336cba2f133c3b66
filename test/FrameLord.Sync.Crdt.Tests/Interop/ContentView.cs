using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// The canonical, type-tagged view of document content that harness.mjs also produces (<c>ser</c>), and the
/// state (content, state vector, delete set, pending) compared between implementations.
/// </summary>
public static class ContentView
{
    public static object? Ser(object? v)
    {
        switch (v)
        {
            case YText text:
                return new Dictionary<string, object?>
                {
                    ["$text"] = text.ToDelta().Select(op =>
                    {
                        var o = new Dictionary<string, object?> { ["insert"] = op.Insert is string s ? s : Ser(op.Insert) };
                        if (op.Attributes is not null)
                        {
                            o["attributes"] = Ser(op.Attributes.ToDictionary(k => k.Key, k => k.Value));
                        }

                        return (object?)o;
                    }).ToList(),
                };
            case YMap map:
                {
                    var o = new Dictionary<string, object?>();
                    foreach (var key in map.Keys.OrderBy(k => k, StringComparer.Ordinal))
                    {
                        o[key] = Ser(map.Get(key));
                    }

                    return new Dictionary<string, object?> { ["$map"] = o };
                }

            case YArray array:
                return new Dictionary<string, object?> { ["$array"] = array.ToArray().Select(Ser).ToList() };
            case AbstractType other:
                return new Dictionary<string, object?> { ["$other"] = other.GetType().Name };
            case byte[] bytes:
                return new Dictionary<string, object?> { ["$bin"] = Convert.ToBase64String(bytes) };
            case YUndefined:
                return new Dictionary<string, object?> { ["$undef"] = true };
            case BigInteger big:
                return new Dictionary<string, object?> { ["$bigint"] = big.ToString() };
            case IDictionary<string, object?> dict:
                {
                    var o = new Dictionary<string, object?>();
                    foreach (var key in dict.Keys.OrderBy(k => k, StringComparer.Ordinal))
                    {
                        o[key] = Ser(dict[key]);
                    }

                    return o;
                }

            case System.Collections.IList list when v is not string:
                return list.Cast<object?>().Select(Ser).ToList();
            default:
                return v;
        }
    }

    /// <summary>An observeDeep event as harness.mjs serializes it (<c>serEvent</c>): path, delta and changed keys.</summary>
    public static JsonNode Event(Events.YEvent e)
    {
        var path = new JsonArray();
        foreach (var p in e.Path)
        {
            path.Add(p is int i ? JsonValue.Create(i) : JsonValue.Create((string)p));
        }

        var delta = new JsonArray();
        foreach (var op in e.Delta)
        {
            var o = new Dictionary<string, object?>();
            if (op.Insert is not null)
            {
                o["insert"] = op.Insert is string s ? s : Ser(op.Insert);
            }

            if (op.Retain is { } retain)
            {
                o["retain"] = retain;
            }

            if (op.Delete is { } del)
            {
                o["delete"] = del;
            }

            if (op.Attributes is not null)
            {
                o["attributes"] = Ser(op.Attributes.ToDictionary(k => k.Key, k => k.Value));
            }

            delta.Add(JsonNode.Parse(JsonText.Stringify(o)));
        }

        var keys = new Dictionary<string, object?>();
        foreach (var (key, change) in e.Keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var action = change.Action.ToString().ToLowerInvariant();
            keys[key] = change.Action == Events.YMapChangeAction.Add
                ? new Dictionary<string, object?> { ["action"] = action }
                : new Dictionary<string, object?> { ["action"] = action, ["oldValue"] = Ser(change.OldValue) };
        }

        return new JsonObject { ["path"] = path, ["delta"] = delta, ["keys"] = JsonNode.Parse(JsonText.Stringify(keys)) };
    }

    public static AbstractType Root(YDoc doc, string kind, string name) => kind switch
    {
        "text" => doc.GetText(name),
        "map" => doc.GetMap(name),
        "array" => doc.GetArray(name),
        _ => throw new ArgumentException(kind),
    };

    public static JsonObject State(YDoc doc, JsonArray roots)
    {
        var content = new Dictionary<string, object?>();
        foreach (var r in roots)
        {
            var kind = r![0]!.GetValue<string>();
            var name = r[1]!.GetValue<string>();
            content[kind + ":" + name] = Ser(Root(doc, kind, name));
        }

        var ds = new StringBuilder("[");
        foreach (var (client, clock, length) in doc.GetDeleteSet())
        {
            if (ds.Length > 1)
            {
                ds.Append(',');
            }

            ds.Append('[').Append(client).Append(',').Append(clock).Append(',').Append(length).Append(']');
        }

        ds.Append(']');
        return new JsonObject
        {
            ["content"] = JsonText.Stringify(content),
            ["sv"] = Convert.ToBase64String(doc.EncodeStateVector()),
            ["ds"] = ds.ToString(),
            ["pending"] = doc.HasPending,
        };
    }
}
