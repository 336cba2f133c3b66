using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>The .NET SDK with unmodified npm providers on one live note (eng/yjs/live-sdk-scenario.mjs).</summary>
public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task LiveNotes_SdkWithYWebsocketHocuspocusAndRestClients_ConvergeUnderConcurrentEdits_AndShareAwareness()
    {
        const string noteId = "note-live-sdk";
        var (a, restA, socketsA) = await OpenLiveDeviceAsync("a", TimeSpan.FromMilliseconds(200), signup: true);
        a.Start();
        var note = await a.Documents.OpenAsync(noteId);
        using var node = NodeYjs.Start("live-sdk-scenario.mjs", $"--url {Server.BaseAddress} --token {a.AccessToken} --note {noteId}");
        await ExpectAsync(node, "page");
        await Wait.UntilAsync(() => Paragraph(note, 2) is not null, "the page reached the SDK");

        // The SDK types while the providers and the REST client do.
        for (var i = 0; i < 30; i++)
        {
            lock (note.SyncRoot)
            {
                Paragraph(note, i % 3)!.Insert(0, $"d{i} ");
            }

            await Task.Delay(10);
        }

        // Then edits with no network at all (socket and REST), and comes back.
        socketsA.Down = true;
        socketsA.KillAll();
        restA.OnDocumentSync = (_, _, _) => throw FaultyTransport.Lost();
        await Wait.UntilAsync(() => note.Connection != DocumentConnection.Live, "the SDK is offline");
        lock (note.SyncRoot)
        {
            Paragraph(note, 1)!.Insert(0, "sdk-offline ");
        }

        await Task.Delay(200);
        socketsA.Down = false;
        restA.OnDocumentSync = null;
        await Wait.UntilAsync(() => note.Connection == DocumentConnection.Live, "the SDK is live again", 60_000);
        lock (note.SyncRoot)
        {
            Paragraph(note, 2)!.Insert(0, "sdk-done ");
        }

        var converged = await ExpectAsync(node, "converged");
        Assert.True(converged["same"]!.GetValue<bool>(), "the REST client has the providers' note");
        var expected = converged["content"]!;
        await Wait.UntilAsync(() => JsonNode.DeepEquals(Canonical(note), expected), "the SDK has the providers' note");
        var text = expected.ToJsonString();
        foreach (var mark in new[] { "a29 ", "b29 ", "c29 ", "r29 ", "d29 ", "offline-edit", "sdk-offline", "sdk-done" })
        {
            Assert.Contains(mark, text, StringComparison.Ordinal);
        }

        // Awareness: a provider's state reaches the SDK; the SDK's (with a cursor) reaches the providers and goes when the note closes.
        await Wait.UntilAsync(() => note.Awareness.GetStates().Values.Any(s => s["user"]?["name"]?.GetValue<string>() == "a1"), "the SDK sees a1");
        YRelativePosition anchor;
        lock (note.SyncRoot)
        {
            anchor = YRelativePosition.FromTypeIndex(Paragraph(note, 0)!, 3);
        }

        note.Awareness.SetLocalStateField("user", new JsonObject { ["name"] = "sdk" });
        note.Awareness.SetCursor(anchor, anchor);
        var seen = await ExpectAsync(node, "sdk_awareness_seen");
        Assert.Equal(JsonNode.Parse(anchor.ToJson()), seen["cursor"]!["anchor"], JsonNode.DeepEquals);
        note.Dispose();
        await ExpectAsync(node, "sdk_awareness_removed");
        await ExpectAsync(node, "done");
    }

    private static YText? Paragraph(NoteDocument note, int i)
    {
        lock (note.SyncRoot)
        {
            return note.Doc.GetMap("blocks").Get<YMap>($"page-p{i}")?.Get<YText>("prop:text");
        }
    }

    /// <summary>The note as eng/yjs/live-common.mjs <c>canonical</c> prints it: per block its flavour, children and text.</summary>
    private static JsonObject Canonical(NoteDocument note)
    {
        lock (note.SyncRoot)
        {
            var blocks = note.Doc.GetMap("blocks");
            var result = new JsonObject();
            foreach (var key in blocks.Keys.Order(StringComparer.Ordinal))
            {
                var block = blocks.Get<YMap>(key);
                var children = new JsonArray();
                foreach (var child in block?.Get<YArray>("sys:children")?.ToArray() ?? [])
                {
                    children.Add(JsonValue.Create(child as string));
                }

                result[key] = new JsonObject
                {
                    ["flavour"] = block?.Get<string>("sys:flavour"),
                    ["children"] = children,
                    ["text"] = block?.Get<YText>("prop:text")?.ToString(),
                };
            }

            return result;
        }
    }

    /// <summary>The scenario's next line, which must be the step <paramref name="check"/> (or the end).</summary>
    private static async Task<JsonObject> ExpectAsync(NodeProcess node, string check)
    {
        var line = JsonNode.Parse(await node.NextLineAsync(TimeSpan.FromMinutes(2)))!.AsObject();
        Assert.False(line.ContainsKey("error"), line.ToJsonString());
        if (check == "done")
        {
            Assert.True(line.ContainsKey("done"), line.ToJsonString());
        }
        else
        {
            Assert.Equal(check, line["check"]?.GetValue<string>());
        }

        return line;
    }
}
