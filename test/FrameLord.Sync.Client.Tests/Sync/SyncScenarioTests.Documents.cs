using System.Net.Http.Json;
using System.Text.Json;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>Note bodies (Yjs documents) between SDK devices, npm yjs clients and the real server.</summary>
public abstract partial class SyncScenarioTests
{
    /// <summary>What a server holds for a note, read through the contract with an empty state vector: its canonical content and sync_version.</summary>
    protected async Task<(string Content, long SyncVersion)> ServerNoteAsync(string noteId, string token, TestServer? server = null)
    {
        var http = (server ?? Server).Client(token);
        var response = await http.PostAsJsonAsync($"/api/v1/notes/{Uri.EscapeDataString(noteId)}/sync", new DocumentSyncRequest(),
            SyncJsonContext.Default.DocumentSyncRequest);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var answer = JsonSerializer.Deserialize(text, SyncJsonContext.Default.DocumentSyncResponse)!;
        return (BlockEditor.Content(answer.Updates), answer.SyncVersion);
    }

    /// <summary>Another device of the account (it logs in).</summary>
    private async Task<SyncClient> LoginDeviceAsync(string name)
    {
        var device = await OpenDeviceAsync(name);
        await device.LoginAsync(Email, Password);
        return device;
    }

    private static string Content(NoteDocument note)
    {
        lock (note.SyncRoot)
        {
            return BlockEditor.Content(note.Doc);
        }
    }

    private static void AddBlock(NoteDocument note, string key, string text) =>
        note.Doc.Transact(_ => BlockEditor.AddBlock(note.Doc.GetMap("blocks"), key, text));

    private static YText BlockText(NoteDocument note, string key) => note.Doc.GetMap("blocks").Get<YMap>(key)!.Get<YText>("prop:text")!;

    [Fact]
    public async Task NoteBodies_OfflineEditsOnTwoDevices_MergeOnReconnect()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport);
        await a.SignupAsync(Email, Password, "Me");
        var b = await LoginDeviceAsync("b");
        var noteA = await a.Documents.OpenAsync("note_shared");
        AddBlock(noteA, "b-first", "first block");
        noteA.Doc.GetText("title").Insert(0, "Minutes");
        await a.SyncNowAsync();
        var noteB = await b.Documents.OpenAsync("note_shared");
        Assert.Equal(1, (await b.SyncNowAsync()).Documents);
        Assert.Equal(Content(noteA), Content(noteB));

        // Both offline: A's sync attempt fails, both keep editing, the same text included.
        transport.OnDocumentSync = (_, _, _) => throw FaultyTransport.Lost();
        var editA = new BlockEditor(noteA.Doc, "a", 1);
        var editB = new BlockEditor(noteB.Doc, "b", 2);
        for (var i = 0; i < 20; i++)
        {
            editA.Edit();
            editB.Edit();
        }

        noteA.Doc.GetText("title").Insert(0, "[A] ");
        noteB.Doc.GetText("title").Insert(noteB.Doc.GetText("title").Length, " [B]");
        await Assert.ThrowsAsync<SyncTransportException>(() => a.SyncNowAsync());
        Assert.Equal(1, a.State.UnsyncedDocuments);
        Assert.Equal(1, b.State.UnsyncedDocuments);

        transport.OnDocumentSync = null;
        await a.SyncNowAsync();
        await b.SyncNowAsync();
        await a.SyncNowAsync();
        var merged = Content(noteA);
        Assert.Equal(merged, Content(noteB));
        Assert.Equal("[A] Minutes [B]", noteA.Doc.GetText("title").ToString());
        Assert.Equal("[A] Minutes [B]", noteB.Doc.GetText("title").ToString());
        Assert.Contains("b-a-", merged, StringComparison.Ordinal);
        Assert.Contains("b-b-", merged, StringComparison.Ordinal);
        Assert.Equal(merged, (await ServerNoteAsync("note_shared", a.AccessToken!)).Content);
        Assert.Equal((0, 0), (a.State.UnsyncedDocuments, b.State.UnsyncedDocuments));
    }

    [Fact]
    public async Task NoteBodies_ADeviceRestartedBeforeSyncing_LosesNothing_AndSendsItsEdits()
    {
        var (a, b) = await DevicesAsync("a", "b") switch { var d => (d[0], d[1]) };
        string content;
        {
            var note = await a.Documents.OpenAsync("note_restart");
            var editor = new BlockEditor(note.Doc, "a", 5);
            for (var i = 0; i < 40; i++)
            {
                editor.Edit();
            }

            content = Content(note);
            // The process goes away: no sync, the handle never disposed.
        }

        await CloseAsync(a);
        var again = await OpenDeviceAsync("a");
        Assert.Equal(1, again.State.UnsyncedDocuments);
        Assert.Equal(SyncStatus.Pending, again.State.Status);
        Assert.Equal(content, BlockEditor.Content(await again.Documents.GetStateAsync("note_restart")));

        // The note is not open after the restart: the step syncs it because it has unsynced edits.
        Assert.Equal(1, (await again.SyncNowAsync()).Documents);
        Assert.Equal(0, again.State.UnsyncedDocuments);
        using var onB = await b.Documents.OpenAsync("note_restart");
        await b.SyncNowAsync();
        Assert.Equal(content, Content(onB));
        Assert.Equal(content, (await ServerNoteAsync("note_restart", b.AccessToken!)).Content);
    }

    [Fact]
    public async Task NoteBodies_ANewDevice_GetsTheServersStateWhenItOpensTheNote()
    {
        var a = (await DevicesAsync("a"))[0];
        using (var note = await a.Documents.OpenAsync("note_new_device"))
        {
            AddBlock(note, "b-1", "written on A");
        }

        await a.SyncNowAsync();
        var fresh = await OpenDeviceAsync("fresh");
        await fresh.LoginAsync(Email, Password);
        using var opened = await fresh.Documents.OpenAsync("note_new_device");
        Assert.Equal("{}", Content(opened));
        var result = await fresh.SyncNowAsync();
        Assert.Equal(1, result.Documents);
        Assert.Contains("written on A", Content(opened), StringComparison.Ordinal);
        Assert.False((await fresh.Documents.GetSyncInfoAsync("note_new_device"))!.HasUnsyncedChanges);
    }

    [Fact]
    public async Task NoteBodies_ADeltaTheServerCannotIntegrate_IsResentWhole_AndTheRefusalStoresNothing()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport);
        await a.SignupAsync(Email, Password, "Me");
        using var note = await a.Documents.OpenAsync("note_lost");
        AddBlock(note, "b-1", "the base");
        await a.SyncNowAsync();

        // The server loses the base: a server over a fresh database that still knows the account and A's device
        // session (same signing key, so A's token is good there).
        await using var lostDb = await TestDatabase.CreateAsync(Db.Backend);
        await using var lostServer = await TestServer.StartAsync(lostDb, Settings);
        await Db.CopyAccountAsync(lostDb, a.UserId!);
        transport.DocumentTarget = Http(lostServer.BaseAddress);
        var refusals = new List<(SyncTransportException Error, (string Content, long SyncVersion) ServerAfter)>();
        transport.OnDocumentSync = async (noteId, _, call) =>
        {
            try
            {
                return await call();
            }
            catch (SyncTransportException e)
            {
                refusals.Add((e, await ServerNoteAsync(noteId, a.AccessToken!, lostServer)));
                throw;
            }
        };
        transport.DocumentSyncs.Clear();
        AddBlock(note, "b-2", "built on the base");
        Assert.Equal(1, (await a.SyncNowAsync()).Documents);

        var (error, serverAfter) = Assert.Single(refusals);
        Assert.Equal((400, ErrorCodes.InvalidYjsUpdate), (error.StatusCode, error.Code));
        Assert.Equal(("{}", 0L), serverAfter);
        Assert.Equal(2, transport.DocumentSyncs.Count);
        var (delta, full) = (transport.DocumentSyncs[0].Request.YjsUpdates!, transport.DocumentSyncs[1].Request.YjsUpdates!);
        Assert.True(full.Length > delta.Length);
        Assert.Equal(Content(note), BlockEditor.Content(full));
        Assert.Equal(Content(note), (await ServerNoteAsync("note_lost", a.AccessToken!, lostServer)).Content);
        Assert.Contains("the base", Content(note), StringComparison.Ordinal);
        Assert.False((await a.Documents.GetSyncInfoAsync("note_lost"))!.HasUnsyncedChanges);
    }

    [Fact]
    public async Task NoteBodies_AServerThatLostANote_GetsItBackFromADeviceThatHasIt_WithoutANewEdit()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport);
        await a.SignupAsync(Email, Password, "Me");
        using var note = await a.Documents.OpenAsync("note_restored");
        AddBlock(note, "b-1", "only A and the old server have this");
        await a.SyncNowAsync();

        await using var lostDb = await TestDatabase.CreateAsync(Db.Backend);
        await using var lostServer = await TestServer.StartAsync(lostDb, Settings);
        await Db.CopyAccountAsync(lostDb, a.UserId!); // the account and its sessions survive, the note does not
        transport.DocumentTarget = Http(lostServer.BaseAddress);
        transport.DocumentSyncs.Clear();
        Assert.Equal(1, (await a.SyncNowAsync()).Documents);

        // The note is open and unedited: the first request only asks; its answer shows the server behind, so A sends.
        Assert.Equal(2, transport.DocumentSyncs.Count);
        Assert.Null(transport.DocumentSyncs[0].Request.YjsUpdates);
        Assert.Equal(Content(note), BlockEditor.Content(transport.DocumentSyncs[1].Request.YjsUpdates!));
        Assert.Equal(Content(note), (await ServerNoteAsync("note_restored", a.AccessToken!, lostServer)).Content);
        Assert.False((await a.Documents.GetSyncInfoAsync("note_restored"))!.HasUnsyncedChanges);

        // Caught up: the next step asks once and sends nothing.
        transport.DocumentSyncs.Clear();
        await a.SyncNowAsync();
        Assert.Null(Assert.Single(transport.DocumentSyncs).Request.YjsUpdates);
    }

    [Fact]
    public async Task NoteBodies_DuplicateAndOutOfOrderSyncRequests_AreHarmless()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport);
        await a.SignupAsync(Email, Password, "Me");
        var b = await LoginDeviceAsync("b");
        using var note = await a.Documents.OpenAsync("note_replays");
        var editor = new BlockEditor(note.Doc, "a", 9);
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 8; i++)
            {
                editor.Edit();
            }

            // Round 2: every request reaches the server twice (a retry after a lost answer); the client sees the second answer.
            transport.OnDocumentSync = round == 2 ? async (_, _, call) => { await call(); return await call(); } : null;
            await a.SyncNowAsync();
        }

        transport.OnDocumentSync = null;
        var expected = Content(note);
        var before = await ServerNoteAsync("note_replays", a.AccessToken!);
        Assert.Equal(expected, before.Content);

        // Old requests delivered late, newest first and oldest last.
        var http = Http();
        foreach (var (noteId, request) in transport.DocumentSyncs.AsEnumerable().Reverse())
        {
            await http.SyncDocumentAsync(noteId, request, a.AccessToken!, CancellationToken.None);
        }

        Assert.Equal(expected, (await ServerNoteAsync("note_replays", a.AccessToken!)).Content);
        await a.SyncNowAsync();
        Assert.Equal(expected, Content(note));
        using var onB = await b.Documents.OpenAsync("note_replays");
        await b.SyncNowAsync();
        Assert.Equal(expected, Content(onB));
    }

    [Fact]
    public async Task NoteBodies_AnotherUsersNoteWithTheSameId_StaysSeparate()
    {
        var mine = (await DevicesAsync("mine"))[0];
        var theirs = await OpenDeviceAsync("theirs");
        await theirs.SignupAsync($"other-{Guid.NewGuid():N}@example.com", Password, "Other");
        Assert.NotEqual(mine.UserId, theirs.UserId);

        using var myNote = await mine.Documents.OpenAsync("note_same_id");
        using var theirNote = await theirs.Documents.OpenAsync("note_same_id");
        AddBlock(myNote, "b-mine", "mine");
        AddBlock(theirNote, "b-theirs", "theirs");
        for (var i = 0; i < 2; i++)
        {
            await mine.SyncNowAsync();
            await theirs.SyncNowAsync();
        }

        Assert.Equal("""{"b-mine":{"text":"mine","children":[]}}""", Content(myNote));
        Assert.Equal("""{"b-theirs":{"text":"theirs","children":[]}}""", Content(theirNote));
        Assert.Equal(Content(myNote), (await ServerNoteAsync("note_same_id", mine.AccessToken!)).Content);
        Assert.Equal(Content(theirNote), (await ServerNoteAsync("note_same_id", theirs.AccessToken!)).Content);
    }
}
