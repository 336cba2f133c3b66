using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.Undo;

/// <summary>
/// The C# side of the harness's undo sessions (eng/yjs/harness.mjs <c>undoSession</c>): the same steps on
/// replicas with a <see cref="YUndoManager"/> each, and the same per-step result (content, full update, stack
/// sizes, stack events). Time is a manual clock that moves 1 ms per step, so a capture timeout of 0 never
/// merges and a very long one always merges until <c>stop</c>, exactly as on the yjs side.
/// </summary>
public sealed class UndoSession
{
    private readonly List<YDoc> _docs = [];
    private readonly List<YUndoManager> _managers = [];
    private readonly List<string> _log = [];
    private readonly ManualTime _time = new();
    private JsonArray? _roots;
    private int _counter;

    public IReadOnlyList<YDoc> Docs => _docs;

    public IReadOnlyList<YUndoManager> Managers => _managers;

    public JsonObject Run(JsonObject step)
    {
        _time.Advance(TimeSpan.FromMilliseconds(1));
        bool? ret = null;
        switch (step["do"]!.GetValue<string>())
        {
            case "new":
                AddReplica(step);
                break;
            case "txn":
                {
                    var doc = _docs[step["doc"]!.GetValue<int>()];
                    var origin = step["origin"]?.GetValue<string>();
                    doc.Transact(_ =>
                    {
                        foreach (var a in step["actions"]!.AsArray())
                        {
                            ScriptRunner.RunAction(doc, a!.AsArray());
                        }
                    }, origin);
                    break;
                }

            case "sync":
                {
                    var from = _docs[step["from"]!.GetValue<int>()];
                    var to = _docs[step["to"]!.GetValue<int>()];
                    to.ApplyUpdate(from.EncodeStateAsUpdate(to.EncodeStateVector()), "remote");
                    break;
                }

            case "undo": ret = _managers[step["doc"]!.GetValue<int>()].Undo() is not null; break;
            case "redo": ret = _managers[step["doc"]!.GetValue<int>()].Redo() is not null; break;
            case "stop": _managers[step["doc"]!.GetValue<int>()].StopCapturing(); break;
            case "clear": _managers[step["doc"]!.GetValue<int>()].Clear(step["undo"]!.GetValue<bool>(), step["redo"]!.GetValue<bool>()); break;
            default: throw new ArgumentException("unknown step " + step["do"]);
        }

        var docs = new JsonArray();
        for (var i = 0; i < _docs.Count; i++)
        {
            docs.Add(new JsonObject
            {
                ["content"] = ContentView.State(_docs[i], _roots!)["content"]!.GetValue<string>(),
                ["update"] = Convert.ToBase64String(_docs[i].EncodeStateAsUpdate()),
                ["stacks"] = new JsonArray(_managers[i].UndoStack.Count, _managers[i].RedoStack.Count),
            });
        }

        var events = new JsonArray(_log.Select(e => (JsonNode)e).ToArray());
        _log.Clear();
        return new JsonObject { ["ret"] = ret, ["docs"] = docs, ["events"] = events };
    }

    private void AddReplica(JsonObject step)
    {
        _roots ??= step["roots"]!.AsArray();
        var doc = new YDoc(new YDocOptions { ClientId = ulong.Parse(step["client"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture), Gc = step["gc"]!.GetValue<bool>() });
        foreach (var r in _roots)
        {
            ContentView.Root(doc, r![0]!.GetValue<string>(), r[1]!.GetValue<string>());
        }

        var options = new YUndoManagerOptions
        {
            CaptureTimeout = TimeSpan.FromMilliseconds(double.Parse(step["timeout"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)),
            TrackedOrigins = step["origins"]!.AsArray().Select(o => (object?)o?.GetValue<string>()).ToArray(),
            TimeProvider = _time,
        };
        var scope = step["scope"]!;
        var manager = scope is JsonValue
            ? new YUndoManager(doc, options)
            : new YUndoManager(scope.AsArray().Select(r => ContentView.Root(doc, r![0]!.GetValue<string>(), r[1]!.GetValue<string>())).ToArray(), options);
        var index = _docs.Count;
        manager.StackItemAdded += (_, e) =>
        {
            e.StackItem.Meta["n"] = _counter++;
            _log.Add($"{index} added {Kind(e.Kind)} {e.StackItem.Meta["n"]} {OriginLabel(manager, e.Origin)}");
        };
        manager.StackItemUpdated += (_, e) => _log.Add($"{index} updated {Kind(e.Kind)} {e.StackItem.Meta["n"]} {OriginLabel(manager, e.Origin)}");
        manager.StackItemPopped += (_, e) => _log.Add($"{index} popped {Kind(e.Kind)} {e.StackItem.Meta["n"]}");
        manager.StackCleared += (_, e) => _log.Add($"{index} cleared {(e.UndoStackCleared ? "true" : "false")} {(e.RedoStackCleared ? "true" : "false")}");
        _docs.Add(doc);
        _managers.Add(manager);
    }

    private static string Kind(YStackKind kind) => kind == YStackKind.Undo ? "undo" : "redo";

    private static string OriginLabel(YUndoManager manager, object? origin) => origin == manager ? "um" : origin?.ToString() ?? "null";

    /// <summary>A clock the session moves by hand (starts far from 0: yjs treats a last change at 0 as none).</summary>
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
