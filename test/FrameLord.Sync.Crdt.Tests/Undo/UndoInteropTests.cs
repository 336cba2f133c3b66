using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.Undo;

/// <summary>
/// Scripted undo sessions run on npm yjs 13.6.33 and on ours: two or three replicas, each with its own undo
/// manager (type or document scope, capture timeout 0 or "until stopCapturing", tracked and untracked origins),
/// random local edits on text (with formatting), maps, arrays and nested types, syncs in between, and undo,
/// redo, stopCapturing and clear. After every step each replica's content and full update bytes, the stack
/// sizes, the stack events (with the metadata stored on the step) and whether undo/redo did anything must
/// be identical.
/// </summary>
public sealed class UndoInteropTests(NodeHarness harness)
{
    private static readonly JsonArray s_roots = [new JsonArray("text", "t"), new JsonArray("map", "m"), new JsonArray("array", "a")];

    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(60, 17_000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Session_UndoRedoWithConcurrentRemoteEdits_MatchesYjs(int seed)
    {
        var rng = new Random(seed);
        var session = new UndoSession();
        var steps = new List<JsonObject>();
        var ours = new List<JsonObject>();
        void Add(JsonObject step)
        {
            steps.Add(step);
            ours.Add(session.Run((JsonObject)step.DeepClone()));
        }

        var replicas = 2 + rng.Next(2);
        var mergeUntilStop = rng.Next(2) == 0;
        for (var i = 0; i < replicas; i++)
        {
            JsonNode scope = rng.Next(4) switch
            {
                0 => "doc",
                1 => new JsonArray(new JsonArray("text", "t")),
                _ => s_roots.DeepClone(),
            };
            Add(new JsonObject
            {
                ["do"] = "new",
                ["client"] = 10 + i,
                ["gc"] = rng.Next(4) != 0,
                ["roots"] = s_roots.DeepClone(),
                ["scope"] = scope,
                ["timeout"] = mergeUntilStop ? 1e9 : 0,
                ["origins"] = new JsonArray(null, "local"),
            });
        }

        var generator = new ScenarioGenerator(rng, formatting: rng.Next(2) == 0, nested: true) { AvoidSurrogateSplits = true };
        var count = 40 + rng.Next(40);
        for (var s = 0; s < count; s++)
        {
            var doc = rng.Next(replicas);
            var roll = rng.Next(100);
            if (roll < 45)
            {
                // Actions are generated on a scratch copy of the replica, applied one after another there so
                // that later ones stay valid; the step then runs them in one transaction on both sides.
                var scratch = new YDoc(new YDocOptions { ClientId = 999 });
                scratch.ApplyUpdate(session.Docs[doc].EncodeStateAsUpdate());
                var actions = new JsonArray();
                var n = 1 + rng.Next(3);
                for (var i = 0; i < n; i++)
                {
                    var action = generator.RandomAction(scratch);
                    if (action is not null)
                    {
                        actions.Add(action.DeepClone());
                        ScriptRunner.RunAction(scratch, action);
                    }
                }

                string? origin = rng.Next(6) switch { 0 => "untracked", 1 => "local", _ => null };
                Add(new JsonObject { ["do"] = "txn", ["doc"] = doc, ["origin"] = origin, ["actions"] = actions });
            }
            else if (roll < 62)
            {
                var to = (doc + 1 + rng.Next(replicas - 1)) % replicas;
                Add(new JsonObject { ["do"] = "sync", ["from"] = doc, ["to"] = to });
            }
            else if (roll < 80)
            {
                Add(new JsonObject { ["do"] = "undo", ["doc"] = doc });
            }
            else if (roll < 91)
            {
                Add(new JsonObject { ["do"] = "redo", ["doc"] = doc });
            }
            else if (roll < 97)
            {
                Add(new JsonObject { ["do"] = "stop", ["doc"] = doc });
            }
            else
            {
                Add(new JsonObject { ["do"] = "clear", ["doc"] = doc, ["undo"] = rng.Next(2) == 0, ["redo"] = true });
            }
        }

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < replicas; i++)
            {
                Add(new JsonObject { ["do"] = "sync", ["from"] = i, ["to"] = (i + 1) % replicas });
            }
        }

        var theirs = harness.Call(new JsonObject { ["cmd"] = "undo", ["steps"] = new JsonArray(steps.Select(s => (JsonNode)s.DeepClone()).ToArray()) })!.AsArray();
        for (var i = 0; i < steps.Count; i++)
        {
            var expected = theirs[i]!.ToJsonString();
            var actual = ours[i].ToJsonString();
            if (expected != actual)
            {
                Assert.Fail($"seed {seed}: step {i} {steps[i].ToJsonString()} differs.\nyjs:  {Short(theirs[i]!)}\nours: {Short(ours[i])}\nscript: {new JsonArray(steps.Take(i + 1).Select(s => (JsonNode)s.DeepClone()).ToArray()).ToJsonString()}");
            }
        }

        // Converged at the end: every replica holds the same content.
        var last = ours[^1]["docs"]!.AsArray();
        Assert.All(last, d => Assert.Equal(last[0]!["content"]!.GetValue<string>(), d!["content"]!.GetValue<string>()));
    }

    private static string Short(JsonNode result)
    {
        var copy = result.DeepClone().AsObject();
        foreach (var d in copy["docs"]!.AsArray())
        {
            var update = d!["update"]!.GetValue<string>();
            d["update"] = update.Length > 60 ? update[..60] + "…" : update;
        }

        return copy.ToJsonString();
    }
}
