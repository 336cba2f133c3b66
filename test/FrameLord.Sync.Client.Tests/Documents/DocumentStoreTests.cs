using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Documents;

/// <summary>Note bodies on one device, against a stand-in server: the local log, what a step syncs, and what it sends.</summary>
public sealed class DocumentStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();
    private readonly FakeDocumentServer _server = new();

    public DocumentStoreTests()
    {
        _transport.OnDocumentSync = _server.Sync;
    }

    public void Dispose() => _folder.Dispose();

    private async Task<SyncClient> Open(int compaction = 500, string file = "device.db", int seed = 1)
    {
        var client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = _folder.File(file),
            Transport = _transport,
            TimeProvider = _time,
            Random = new Random(seed),
            DocumentLogCompactionUpdates = compaction,
        });
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "t", ExpiresIn = 60 });
        return client;
    }

    /// <summary>The note's log rows as (kind, bytes) in order.</summary>
    private static List<(string Kind, byte[] Data)> Log(SyncClient client, string noteId) => client.Database.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT kind, data FROM document_updates WHERE note_id = $n ORDER BY seq;";
        command.Parameters.AddWithValue("$n", noteId);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, byte[])>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetFieldValue<byte[]>(1)));
        }

        return rows;
    });

    private static YText Text(NoteDocument note) => note.Doc.GetText("body");

    [Fact]
    public async Task EveryLocalTransaction_IsCommittedBeforeItReturns_AndAReopenedDatabaseHasIt()
    {
        string content;
        await using (var client = await Open())
        {
            var note = await client.Documents.OpenAsync("note_1");
            for (var i = 0; i < 5; i++)
            {
                Text(note).Insert(Text(note).Length, $"edit {i}. ");
                var log = Log(client, "note_1");
                Assert.Equal(i + 1, log.Count);
                Assert.Equal("local", log[^1].Kind);
            }

            Assert.Equal(1, client.State.UnsyncedDocuments);
            Assert.Equal(SyncStatus.Pending, client.State.Status);
            content = Text(note).ToString();
            // Closed without syncing and without disposing the handle: nothing more is written after the edits.
        }

        await using (var client = await Open())
        {
            Assert.Equal(1, client.State.UnsyncedDocuments);
            var info = (await client.Documents.GetSyncInfoAsync("note_1"))!;
            Assert.True(info.HasUnsyncedChanges);
            Assert.Equal(0, info.SyncVersion);
            using var note = await client.Documents.OpenAsync("note_1");
            Assert.Equal(content, Text(note).ToString());
            Assert.Empty(_transport.DocumentSyncs);
        }
    }

    [Fact]
    public async Task OpeningTwice_SharesOneYDoc_AndClosingTheLastHandleStopsStoringEdits()
    {
        await using var client = await Open();
        var first = await client.Documents.OpenAsync("note_1");
        var second = await client.Documents.OpenAsync("note_1");
        Assert.Same(first.Doc, second.Doc);
        Assert.Equal(["note_1"], client.Documents.OpenNotes);

        first.Dispose();
        Text(second).Insert(0, "kept");
        Assert.Single(Log(client, "note_1"));

        await second.DisposeAsync();
        Assert.Empty(client.Documents.OpenNotes);
        Text(second).Insert(0, "not kept ");
        Assert.Single(Log(client, "note_1"));

        using var again = await client.Documents.OpenAsync("note_1");
        Assert.NotSame(second.Doc, again.Doc);
        Assert.Equal("kept", Text(again).ToString());
    }

    [Fact]
    public async Task ASyncStep_AsksOnlyAboutNotesThatNeedIt()
    {
        await using var client = await Open();
        for (var i = 0; i < 5; i++)
        {
            using var note = await client.Documents.OpenAsync($"note_{i}");
            Text(note).Insert(0, $"note {i}");
        }

        var result = await client.SyncNowAsync();
        Assert.Equal(5, result.Documents);
        Assert.Equal(5, _transport.DocumentSyncs.Count);
        Assert.All(_transport.DocumentSyncs, s => Assert.NotNull(s.Request.YjsUpdates));
        Assert.Equal(0, client.State.UnsyncedDocuments);

        // Five notes held, none edited or open: a step asks about none of them.
        _transport.DocumentSyncs.Clear();
        Assert.Equal(0, (await client.SyncNowAsync()).Documents);
        Assert.Empty(_transport.DocumentSyncs);

        // An open note syncs in every step (to receive), without an update when it has no edits.
        var open = await client.Documents.OpenAsync("note_2");
        await client.SyncNowAsync();
        await client.SyncNowAsync();
        Assert.Equal(["note_2", "note_2"], _transport.DocumentSyncs.Select(s => s.NoteId));
        Assert.All(_transport.DocumentSyncs, s => Assert.Null(s.Request.YjsUpdates));
        open.Dispose();

        // Opened and closed before the step: synced once (it was opened since the last step), then not again.
        _transport.DocumentSyncs.Clear();
        (await client.Documents.OpenAsync("note_new")).Dispose();
        await client.SyncNowAsync();
        await client.SyncNowAsync();
        Assert.Equal(["note_new"], _transport.DocumentSyncs.Select(s => s.NoteId));
    }

    [Fact]
    public async Task AfterTheFirstSync_OnlyTheDeltaFromTheServersStateVectorIsSent()
    {
        await using var client = await Open();
        using var note = await client.Documents.OpenAsync("note_1");
        Text(note).Insert(0, new string('a', 2000));
        await client.SyncNowAsync();
        var first = _transport.DocumentSyncs[^1].Request;
        Assert.Equal(note.Doc.EncodeStateAsUpdate(), first.YjsUpdates);

        Text(note).Insert(2000, "b");
        await client.SyncNowAsync();
        var second = _transport.DocumentSyncs[^1].Request;
        Assert.Equal(note.Doc.EncodeStateVector(), second.StateVector);
        Assert.Equal(1, second.SyncVersion);
        var (from, to) = YUpdateInspection.ParseMeta(second.YjsUpdates);
        Assert.Equal(2000, from[note.Doc.ClientId]);
        Assert.Equal(2001, to[note.Doc.ClientId]);
        Assert.True(second.YjsUpdates!.Length < 50, $"the delta is {second.YjsUpdates.Length} bytes");
        Assert.Equal(Text(note).ToString(), _server.Note("note_1").GetText("body").ToString());
    }

    [Fact]
    public async Task WhatTheServerSends_IsAppliedToTheOpenDocument_AndStored()
    {
        await using var client = await Open();
        _server.Note("note_1").GetText("body").Insert(0, "from elsewhere");
        using var note = await client.Documents.OpenAsync("note_1");
        var seen = new List<string>();
        Text(note).Observe(e => seen.Add(Text(note).ToString()));
        await client.SyncNowAsync();
        Assert.Equal("from elsewhere", Text(note).ToString());
        Assert.Equal(["from elsewhere"], seen);
        Assert.Equal(["server"], Log(client, "note_1").Select(r => r.Kind));
        Assert.False((await client.Documents.GetSyncInfoAsync("note_1"))!.HasUnsyncedChanges);
        Assert.Equal("from elsewhere", BlockEditorText(await client.Documents.GetStateAsync("note_1")));
    }

    private static string BlockEditorText(byte[] state)
    {
        var doc = new YDoc(new YDocOptions { ClientId = 9 });
        doc.ApplyUpdate(state);
        return doc.GetText("body").ToString();
    }

    [Fact]
    public async Task TheDocumentsPhase_IsReportedInProgress_AndCountedInTheResult()
    {
        await using var client = await Open();
        foreach (var id in new[] { "note_a", "note_b", "note_c" })
        {
            using var note = await client.Documents.OpenAsync(id);
            Text(note).Insert(0, id);
        }

        var progress = new List<SyncProgressEventArgs>();
        client.ProgressChanged += (_, e) => progress.Add(e);
        var result = await client.SyncNowAsync();
        Assert.Equal(3, result.Documents);
        var documents = progress.Where(p => p.Phase == SyncPhase.Documents).Select(p => (p.Done, p.Total)).ToList();
        Assert.Equal([(0L, (long?)3), (1, 3), (2, 3), (3, 3)], documents);
        Assert.Equal(SyncPhase.Documents, progress[^1].Phase);
        Assert.Equal(SyncStatus.Synced, client.State.Status);
    }

    [Fact]
    public async Task TheLogIsCompacted_PastTheThreshold_WithNothingLost()
    {
        string content;
        await using (var client = await Open(compaction: 10))
        {
            using var note = await client.Documents.OpenAsync("note_1");
            var editor = new BlockEditor(note.Doc, "a", 3);
            for (var i = 0; i < 25; i++)
            {
                editor.Edit();
            }

            Assert.Equal(25, Log(client, "note_1").Count);
            await client.SyncNowAsync();
            Assert.Equal(["state"], Log(client, "note_1").Select(r => r.Kind));
            editor.Edit();
            Assert.Equal(["state", "local"], Log(client, "note_1").Select(r => r.Kind));
            for (var i = 0; i < 15; i++)
            {
                editor.Edit();
            }

            content = BlockEditor.Content(note.Doc);
            Assert.Equal(content, BlockEditor.Content(await client.Documents.GetStateAsync("note_1")));
        }

        await using (var client = await Open(compaction: 10))
        {
            // Past the threshold at open: compacted then.
            using var note = await client.Documents.OpenAsync("note_1");
            Assert.Equal(["state"], Log(client, "note_1").Select(r => r.Kind));
            Assert.Equal(content, BlockEditor.Content(note.Doc));
            Assert.True((await client.Documents.GetSyncInfoAsync("note_1"))!.HasUnsyncedChanges);
            await client.SyncNowAsync();
            Assert.Equal(content, BlockEditor.Content(_server.Note("note_1")));
        }
    }

    [Fact]
    public async Task ANoteTheServerRefuses_IsReported_OthersSync_AndItWaitsForItsNextEdit()
    {
        await using var client = await Open();
        _server.Before = (noteId, request) =>
        {
            if (noteId == "note_big" && request.YjsUpdates is not null)
            {
                throw new SyncTransportException(413, ErrorCodes.PayloadTooLarge, "Too large.");
            }
        };
        foreach (var id in new[] { "note_big", "note_ok" })
        {
            using var note = await client.Documents.OpenAsync(id);
            Text(note).Insert(0, id);
        }

        var failures = new List<DocumentSyncFailedEventArgs>();
        client.DocumentSyncFailed += (_, e) => failures.Add(e);
        var result = await client.SyncNowAsync();
        Assert.Equal(1, result.Documents);
        Assert.Equal("note_big", Assert.Single(failures).NoteId);
        Assert.Equal(ErrorCodes.PayloadTooLarge, failures[0].Error.Code);
        var info = (await client.Documents.GetSyncInfoAsync("note_big"))!;
        Assert.Equal((true, ErrorCodes.PayloadTooLarge), (info.HasUnsyncedChanges, info.FailedCode));
        Assert.Equal(0, client.State.UnsyncedDocuments);
        Assert.Equal(SyncStatus.Synced, client.State.Status);

        _transport.DocumentSyncs.Clear();
        await client.SyncNowAsync();
        Assert.Empty(_transport.DocumentSyncs);

        _server.Before = null;
        using (var note = await client.Documents.OpenAsync("note_big"))
        {
            Text(note).Insert(0, "more ");
            Assert.Null((await client.Documents.GetSyncInfoAsync("note_big"))!.FailedCode);
        }

        Assert.Equal(1, (await client.SyncNowAsync()).Documents);
        Assert.Equal("more note_big", _server.Note("note_big").GetText("body").ToString());
        Assert.Single(failures);
    }

    [Fact]
    public async Task ATransientFailure_FailsTheStep_AndTheNoteGoesInTheNextOne()
    {
        await using var client = await Open();
        using (var note = await client.Documents.OpenAsync("note_1"))
        {
            Text(note).Insert(0, "offline edit");
        }

        _server.Before = (_, _) => throw new SyncTransportException(503, ErrorCodes.Unavailable, "Down.");
        await Assert.ThrowsAsync<SyncTransportException>(() => client.SyncNowAsync());
        Assert.Equal(1, client.State.UnsyncedDocuments);
        Assert.Equal(SyncStatus.Error, client.State.Status);

        _server.Before = null;
        Assert.Equal(1, (await client.SyncNowAsync()).Documents);
        Assert.Equal("offline edit", _server.Note("note_1").GetText("body").ToString());
        Assert.Equal(SyncStatus.Synced, client.State.Status);
    }

    [Fact]
    public async Task ANoteOpenedOnAUiThread_GetsTheServersChangesOnThatThread_WhileTheStepRunsElsewhere()
    {
        await using var client = await Open();
        using var ui = new PumpContext();
        var note = await ui.RunAsync(() => client.Documents.OpenAsync("note_ui"));
        var observedOn = new List<int>();
        await ui.RunAsync(() =>
        {
            Text(note).Observe(_ => observedOn.Add(Environment.CurrentManagedThreadId));
            Text(note).Insert(0, "typed on the UI thread. ");
            return Task.FromResult(true);
        });
        Assert.Single(Log(client, "note_ui"));

        _server.Note("note_ui").GetText("body").Insert(0, "From the server. ");
        await Task.Run(() => client.SyncNowAsync());
        Assert.Equal([ui.Thread.ManagedThreadId, ui.Thread.ManagedThreadId], observedOn);
        var text = await ui.RunAsync(() => Task.FromResult(Text(note).ToString()));
        Assert.Contains("From the server. ", text, StringComparison.Ordinal);
        Assert.Contains("typed on the UI thread. ", text, StringComparison.Ordinal);
        Assert.Equal(text, _server.Note("note_ui").GetText("body").ToString());
        await ui.RunAsync(async () =>
        {
            await note.DisposeAsync();
            return true;
        });
    }

    [Fact]
    public async Task AnEditInsideAnEntityWritesCallback_FailsInsteadOfWaitingForever_AndTheNextEditStoresItToo()
    {
        await using (var client = await Open())
        {
            var contact = await client.Contacts.CreateAsync(new Models.Contact { Name = "A" });
            using var note = await client.Documents.OpenAsync("note_1");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.Contacts.UpdateAsync(contact.Id, c =>
            {
                c.Name = "B";
                Text(note).Insert(0, "inside. ");
            }));
            Assert.Contains("entity write", error.Message, StringComparison.Ordinal);
            Assert.Equal("A", (await client.Contacts.GetAsync(contact.Id))!.Name);
            Assert.Empty(Log(client, "note_1"));

            // The document kept the edit in memory; the next append writes the whole state, so the log misses nothing.
            Text(note).Insert(Text(note).Length, "after.");
            Assert.Equal(["local"], Log(client, "note_1").Select(r => r.Kind));
        }

        await using (var client = await Open())
        {
            using var note = await client.Documents.OpenAsync("note_1");
            Assert.Equal("inside. after.", Text(note).ToString());
        }
    }
}
