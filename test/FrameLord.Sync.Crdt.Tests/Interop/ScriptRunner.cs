using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>Runs a harness script (see harness.mjs <c>runScript</c>) on the C# implementation, producing the same result shapes.</summary>
public sealed class ScriptRunner
{
    private readonly List<YDoc> _docs = [];
    private readonly List<string> _events = [];
    private readonly JsonArray _observed = [];
    private int _eventTarget = -1;

    public List<JsonNode?> Results { get; } = [];

    public IReadOnlyList<YDoc> Docs => _docs;

    public JsonNode? Run(JsonObject step)
    {
        var result = Execute(step);
        Results.Add(result);
        return result;
    }

    /// <summary>
    /// Runs one transaction on replica <paramref name="doc"/> whose actions are produced one by one by
    /// <paramref name="nextAction"/> (null ends it), each seeing the effects of the previous ones. Returns the
    /// step to replay elsewhere, or null when no action was produced.
    /// </summary>
    public JsonObject? RunInteractiveTxn(int doc, Func<YDoc, JsonArray?> nextAction)
    {
        var actions = new JsonArray();
        var d = _docs[doc];
        _eventTarget = doc;
        d.Transact(_ =>
        {
            while (nextAction(d) is { } action)
            {
                actions.Add(action);
                RunAction(d, (JsonArray)action.DeepClone());
            }
        });
        var events = Captured();
        if (actions.Count == 0)
        {
            return null;
        }

        Results.Add(events);
        return new JsonObject { ["do"] = "txn", ["doc"] = doc, ["actions"] = actions };
    }

    private byte[] Ref(JsonNode? r) => Convert.FromBase64String(Results[r![0]!.GetValue<int>()]![r[1]!.GetValue<int>()]!.GetValue<string>());

    private JsonArray Captured()
    {
        var a = new JsonArray();
        foreach (var e in _events)
        {
            a.Add(e);
        }

        _events.Clear();
        return a;
    }

    private JsonNode? Execute(JsonObject step)
    {
        switch (step["do"]!.GetValue<string>())
        {
            case "new":
                {
                    var doc = new YDoc(new YDocOptions { ClientId = ulong.Parse(step["client"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture), Gc = step["gc"]!.GetValue<bool>() });
                    var index = _docs.Count;
                    doc.UpdateV1 += (_, e) =>
                    {
                        if (_eventTarget == index)
                        {
                            _events.Add(Convert.ToBase64String(e.Update));
                        }
                    };
                    if (step["observe"] is JsonArray observe)
                    {
                        foreach (var r in observe)
                        {
                            var kind = r![0]!.GetValue<string>();
                            var name = r[1]!.GetValue<string>();
                            var label = kind + ":" + name;
                            ContentView.Root(doc, kind, name).ObserveDeep(events =>
                            {
                                var list = new JsonArray();
                                foreach (var e in events)
                                {
                                    list.Add(ContentView.Event(e));
                                }

                                _observed.Add(new JsonArray(index, label, list));
                            });
                        }
                    }

                    _docs.Add(doc);
                    return index;
                }

            case "txn":
                {
                    var doc = _docs[step["doc"]!.GetValue<int>()];
                    _eventTarget = step["doc"]!.GetValue<int>();
                    doc.Transact(_ =>
                    {
                        foreach (var a in step["actions"]!.AsArray())
                        {
                            RunAction(doc, a!.AsArray());
                        }
                    });
                    return Captured();
                }

            case "sync":
                {
                    var from = _docs[step["from"]!.GetValue<int>()];
                    var to = _docs[step["to"]!.GetValue<int>()];
                    var u = from.EncodeStateAsUpdate(to.EncodeStateVector());
                    _eventTarget = step["to"]!.GetValue<int>();
                    to.ApplyUpdate(u);
                    var result = new JsonArray { Convert.ToBase64String(u) };
                    foreach (var e in Captured())
                    {
                        result.Add(e!.GetValue<string>());
                    }

                    return result;
                }

            case "apply":
                _eventTarget = step["doc"]!.GetValue<int>();
                _docs[_eventTarget].ApplyUpdate(Ref(step["ref"]));
                return Captured();
            case "encode":
                {
                    var doc = _docs[step["doc"]!.GetValue<int>()];
                    var sv = step["svOf"] is { } s ? _docs[s.GetValue<int>()].EncodeStateVector() : [];
                    return new JsonArray { Convert.ToBase64String(doc.EncodeStateAsUpdate(sv)) };
                }

            case "encodeV2":
                {
                    var doc = _docs[step["doc"]!.GetValue<int>()];
                    var sv = step["svOf"] is { } s ? _docs[s.GetValue<int>()].EncodeStateVector() : [];
                    return new JsonArray { Convert.ToBase64String(doc.EncodeStateAsUpdateV2(sv)) };
                }

            case "state":
                return ContentView.State(_docs[step["doc"]!.GetValue<int>()], step["roots"]!.AsArray());
            case "merge":
                return new JsonArray { Convert.ToBase64String(YUpdate.MergeUpdates(step["refs"]!.AsArray().Select(Ref).ToList())) };
            case "diff":
                return new JsonArray { Convert.ToBase64String(YUpdate.DiffUpdate(Ref(step["ref"]), _docs[step["svOf"]!.GetValue<int>()].EncodeStateVector())) };
            case "svFromUpdate":
                return new JsonArray { Convert.ToBase64String(YUpdate.EncodeStateVectorFromUpdate(Ref(step["ref"]))) };
            case "events":
                {
                    var all = new JsonArray();
                    foreach (var e in _observed.ToList())
                    {
                        _observed.Remove(e);
                        all.Add(e);
                    }

                    return all;
                }

            case "dump":
                {
                    var t = Resolve(_docs[step["doc"]!.GetValue<int>()], step["path"]!.AsArray());
                    var items = new JsonArray();
                    for (var n = t.Start; n is not null; n = n.Right)
                    {
                        var name = n.Content.GetType().Name;
                        items.Add(new JsonArray(n.Client, n.Clock, n.Length, n.Deleted ? 1 : 0, name, n.Content is Structs.ContentString cs ? cs.ToString() : null, n.Marker ? 1 : 0));
                    }

                    JsonArray? markers = null;
                    if (t.Markers is not null)
                    {
                        markers = [];
                        foreach (var m in t.Markers)
                        {
                            markers.Add(new JsonArray(m.Item.Client, m.Item.Clock, m.Index));
                        }
                    }

                    return new JsonObject { ["items"] = items, ["markers"] = markers };
                }

            case "sv":
                return new JsonArray { Convert.ToBase64String(_docs[step["doc"]!.GetValue<int>()].EncodeStateVector()) };
            default:
                throw new ArgumentException("unknown step " + step.ToJsonString());
        }
    }

    public static AbstractType Resolve(YDoc doc, JsonArray path)
    {
        var t = ContentView.Root(doc, path[0]!.GetValue<string>(), path[1]!.GetValue<string>());
        for (var i = 2; i < path.Count; i++)
        {
            var step = path[i]!;
            object? next = step.GetValueKind() == JsonValueKind.Number
                ? ((YArray)t).Get(step.GetValue<int>())
                : ((YMap)t).Get(step.GetValue<string>());
            t = next as AbstractType ?? throw new InvalidOperationException("bad path " + path.ToJsonString());
        }

        return t;
    }

    public static object? Deser(JsonNode? v)
    {
        switch (v)
        {
            case null:
                return null;
            case JsonArray arr:
                return arr.Select(Deser).ToList();
            case JsonObject obj:
                if (obj["$t"] is { } t)
                {
                    return t.GetValue<string>() switch
                    {
                        "text" => new YText(),
                        "map" => new YMap(),
                        _ => new YArray(),
                    };
                }

                if (obj["$bin"] is { } bin)
                {
                    return Convert.FromBase64String(bin.GetValue<string>());
                }

                if (obj["$undef"] is not null)
                {
                    return YUndefined.Value;
                }

                var d = new Dictionary<string, object?>();
                foreach (var (key, value) in obj)
                {
                    d[key] = Deser(value);
                }

                return d;
            default:
                var text = v.ToJsonString();
                return v.GetValueKind() switch
                {
                    JsonValueKind.String => v.GetValue<string>(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number => long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
                    _ => null,
                };
        }
    }

    private static Dictionary<string, object?>? Attrs(JsonNode? a) => a is null ? null : (Dictionary<string, object?>)Deser(a)!;

    public static void RunAction(YDoc doc, JsonArray a)
    {
        var t = Resolve(doc, a[1]!.AsArray());
        switch (a[0]!.GetValue<string>())
        {
            case "ti": ((YText)t).Insert(a[2]!.GetValue<int>(), a[3]!.GetValue<string>(), Attrs(a[4])); break;
            case "td": ((YText)t).Delete(a[2]!.GetValue<int>(), a[3]!.GetValue<int>()); break;
            case "tf": ((YText)t).Format(a[2]!.GetValue<int>(), a[3]!.GetValue<int>(), Attrs(a[4])!); break;
            case "te": ((YText)t).InsertEmbed(a[2]!.GetValue<int>(), Deser(a[3])!, Attrs(a[4])); break;
            case "ms": ((YMap)t).Set(a[2]!.GetValue<string>(), Deser(a[3])); break;
            case "md": ((YMap)t).Delete(a[2]!.GetValue<string>()); break;
            case "ai": ((YArray)t).Insert(a[2]!.GetValue<int>(), a[3]!.AsArray().Select(Deser).ToArray()); break;
            case "ap": ((YArray)t).Push(a[2]!.AsArray().Select(Deser).ToArray()); break;
            case "ad": ((YArray)t).Delete(a[2]!.GetValue<int>(), a[3]!.GetValue<int>()); break;
            case "ag": ((YArray)t).Get(a[2]!.GetValue<int>()); break;
            default: throw new ArgumentException("unknown action " + a.ToJsonString());
        }
    }
}
