using System.Diagnostics;
using System.Text.Json;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>Note bodies at scale and across processes: large notes, live events, npm yjs clients, a killed process.</summary>
public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task NoteBodies_ATenThousandBlockNote_RoundTripsThroughTwoDevices()
    {
        var (a, b) = await DevicesAsync("a", "b") switch { var d => (d[0], d[1]) };
        var output = TestContext.Current.TestOutputHelper;
        using var noteA = await a.Documents.OpenAsync("note_big");
        var clock = Stopwatch.StartNew();
        noteA.Doc.Transact(_ =>
        {
            var blocks = noteA.Doc.GetMap("blocks");
            for (var i = 0; i < 10_000; i++)
            {
                BlockEditor.AddBlock(blocks, $"b-{i:D5}", $"Block {i}: some text of a paragraph.");
            }
        });
        output?.WriteLine($"10,000 blocks made and committed locally in {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        await a.SyncNowAsync();
        output?.WriteLine($"A's sync (full state up): {clock.ElapsedMilliseconds} ms");

        using var noteB = await b.Documents.OpenAsync("note_big");
        clock.Restart();
        await b.SyncNowAsync();
        output?.WriteLine($"B's sync (full state down): {clock.ElapsedMilliseconds} ms, {(await b.Documents.GetStateAsync("note_big")).Length} bytes");
        var content = Content(noteA);
        Assert.Equal(10_000, noteB.Doc.GetMap("blocks").Count);
        Assert.Equal(content, Content(noteB));

        // An edit deep inside goes back by delta.
        BlockText(noteB, "b-05000").Insert(0, "edited on B: ");
        await b.SyncNowAsync();
        clock.Restart();
        await a.SyncNowAsync();
        output?.WriteLine($"A's sync of B's one edit: {clock.ElapsedMilliseconds} ms");
        Assert.StartsWith("edited on B: Block 5000", BlockText(noteA, "b-05000").ToString(), StringComparison.Ordinal);
        Assert.Equal(Content(noteA), Content(noteB));
        var last = b.Database.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT length(data) FROM document_updates WHERE note_id = 'note_big' ORDER BY seq DESC LIMIT 1;";
            return (long)command.ExecuteScalar()!;
        });
        Assert.True(last < 200, $"B stored its one edit in {last} bytes");

        // And it reloads from B's database as it was.
        await CloseAsync(b);
        var reopened = await OpenDeviceAsync("b");
        clock.Restart();
        using var reloaded = await reopened.Documents.OpenAsync("note_big");
        output?.WriteLine($"reopening the note from the local log: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(Content(noteA), Content(reloaded));
    }

    [Fact]
    public async Task NoteBodies_ALiveDocEvent_MakesTheOtherDeviceSyncTheOpenNote()
    {
        var (a, b) = await LivePairAsync();
        var noteB = await b.Documents.OpenAsync("note_live");
        var noteA = await a.Documents.OpenAsync("note_live");
        a.Start();
        b.Start();
        await Wait.UntilAsync(() => a.State.Status == SyncStatus.Synced && b.State.Status == SyncStatus.Synced
            && a.LoopWaitingUntil is not null && b.LoopWaitingUntil is not null, "both loops idle after their start-up sync");
        Assert.True(b.LoopWaitingUntil > DateTimeOffset.UtcNow.AddMinutes(30));

        // The loops run: edits happen under the document's lock, as the SDK applies under it too.
        lock (noteA.SyncRoot)
        {
            AddBlock(noteA, "b-live", "typed on A");
        }

        await Wait.UntilAsync(() => Content(noteB).Contains("typed on A", StringComparison.Ordinal), "B synced the note on the live event");
        await a.StopAsync();
        await b.StopAsync();
        Assert.Equal(Content(noteA), Content(noteB));
    }

    [Fact]
    public async Task NoteBodies_SdkDevicesAndNpmYjsClients_EditingConcurrently_Converge()
    {
        var devices = await DevicesAsync("sdk_a", "sdk_b");
        const string NoteId = "note_interop";
        var wait = Path.Combine(Folder.Path, "all-synced");
        var token = devices[0].AccessToken!;
        var nodes = Enumerable.Range(0, 2).Select(i => NodeYjs.Start("note-client.mjs",
            $"--url {Server.BaseAddress} --token {token} --note {NoteId} --client-id {100 + i} --seed {7 + i} --edits 60 --sync-every 4 --wait {wait}"))
            .ToArray();
        try
        {
            var notes = new NoteDocument[devices.Length];
            for (var i = 0; i < devices.Length; i++)
            {
                notes[i] = await devices[i].Documents.OpenAsync(NoteId);
            }

            await Task.WhenAll(devices.Select((device, i) => Task.Run(async () =>
            {
                var editor = new BlockEditor(notes[i].Doc, $"sdk{i}", 11 + i);
                await device.SyncNowAsync();
                for (var e = 0; e < 60; e++)
                {
                    editor.Edit();
                    if (e % 3 == 2)
                    {
                        await device.SyncNowAsync();
                    }
                }

                await device.SyncNowAsync();
            })));
            var nodeContents = await NodeYjs.ReleaseNoteClientsAsync(nodes, wait);

            foreach (var device in devices)
            {
                await device.SyncNowAsync();
            }

            var expected = Content(notes[0]);
            Assert.Contains("b-sdk0-", expected, StringComparison.Ordinal);
            Assert.Contains("b-sdk1-", expected, StringComparison.Ordinal);
            Assert.Contains("b-100-", expected, StringComparison.Ordinal);
            Assert.Contains("b-101-", expected, StringComparison.Ordinal);
            Assert.Equal(expected, Content(notes[1]));
            foreach (var content in nodeContents)
            {
                Assert.Equal(BlockEditor.Normalize(expected), BlockEditor.Normalize(content));
            }

            Assert.Equal(expected, (await ServerNoteAsync(NoteId, token)).Content);
            Assert.All(devices, d => Assert.Equal(0, d.State.UnsyncedDocuments));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    [Fact]
    public async Task NoteBodies_ARealProcessKilledWhileEditing_LosesNoAcknowledgedEdit()
    {
        await DevicesAsync("owner");
        var acknowledged = await RunCrashHostUntilKilledAsync(["note_killed"], writes: 800, syncs: 2, "the host edited and synced");

        // Every block whose transaction returned is in the reopened database (one more may have committed unreported).
        var reopened = await OpenDeviceAsync("host");
        var local = BlockKeys(await reopened.Documents.GetStateAsync("note_killed"));
        Assert.Superset(acknowledged.ToHashSet(), local);
        Assert.InRange(local.Count, acknowledged.Length, acknowledged.Length + 1);
        var before = (await ServerNoteAsync("note_killed", reopened.AccessToken ?? (await Http().LoginAsync(
            new LoginRequest { Email = Email, Password = Password }, CancellationToken.None)).AccessToken)).Content;
        Assert.NotEqual("{}", before); // some edits were synced before the kill

        await reopened.LoginAsync(Email, Password);
        Assert.Equal(1, (await reopened.SyncNowAsync()).Documents);
        var server = await ServerNoteAsync("note_killed", reopened.AccessToken!);
        Assert.Equal(BlockEditor.Content(await reopened.Documents.GetStateAsync("note_killed")), server.Content);
        Assert.Equal(local.Count, JsonDocument.Parse(server.Content).RootElement.EnumerateObject().Count());
    }

    private static HashSet<string> BlockKeys(byte[] state)
    {
        var doc = new FrameLord.Sync.Crdt.YDoc(new FrameLord.Sync.Crdt.YDocOptions { ClientId = 1 });
        doc.ApplyUpdate(state);
        return [.. doc.GetMap("blocks").Keys];
    }
}
