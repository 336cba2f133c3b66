using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    private DocumentService Documents(int compactAfter = 100) => new(Store,
        new SyncOptions { DocumentCompactionUpdates = compactAfter, DocumentCompaction = DocumentCompactionMode.Inline }, Limits, Time);

    /// <summary>A document replica that records each transaction's update, as a client would send it.</summary>
    private sealed class Replica
    {
        public Replica(ulong clientId)
        {
            Doc = new YDoc(new YDocOptions { ClientId = clientId });
            Doc.UpdateV1 += (_, e) =>
            {
                if (e.Local)
                {
                    Pending.Add(e.Update);
                }
            };
        }

        public YDoc Doc { get; }

        public List<byte[]> Pending { get; } = [];

        public string Text => Doc.GetText("t").ToString();

        /// <summary>Sends what it has that it has not sent (merged), and applies the answer.</summary>
        public async Task<DocumentSyncResponse> SyncAsync(DocumentService service, string userId, string noteId)
        {
            var update = Pending.Count == 0 ? null : YUpdate.MergeUpdates(Pending);
            var response = await service.SyncAsync(userId, noteId,
                new DocumentSyncRequest { YjsUpdates = update, StateVector = Doc.EncodeStateVector() }, CancellationToken.None);
            Pending.Clear();
            Doc.ApplyUpdate(response.Updates);
            return response;
        }
    }

    [Fact]
    public async Task Documents_TwoReplicasConverge_ThroughTheServer()
    {
        var user = await NewUserAsync();
        var docs = Documents();
        var a = new Replica(1);
        var b = new Replica(2);
        a.Doc.GetText("t").Insert(0, "Hello");
        await a.SyncAsync(docs, user.UserId, "note_1");
        await b.SyncAsync(docs, user.UserId, "note_1");
        Assert.Equal("Hello", b.Text);

        a.Doc.GetText("t").Insert(5, " world");
        b.Doc.GetText("t").Insert(0, ">> ");
        await a.SyncAsync(docs, user.UserId, "note_1");
        var last = await b.SyncAsync(docs, user.UserId, "note_1");
        await a.SyncAsync(docs, user.UserId, "note_1");
        Assert.Equal(a.Text, b.Text);
        Assert.Equal(">> Hello world", a.Text);
        Assert.Equal(3, last.SyncVersion);
        Assert.Equal(a.Doc.EncodeStateVector(), last.NewStateVector);
    }

    [Fact]
    public async Task Documents_DuplicateAndOutOfOrderRequests_AreHarmless_AndARefusedUpdateStoresNothing()
    {
        var user = await NewUserAsync();
        var docs = Documents();
        var a = new Replica(1);
        a.Doc.GetText("t").Insert(0, "one");
        var first = a.Pending[0];
        a.Doc.GetText("t").Insert(3, " two");
        var second = a.Pending[1];

        var refused = await Assert.ThrowsAsync<ApiException>(() => docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = second }, CancellationToken.None));
        Assert.Equal(ErrorCodes.InvalidYjsUpdate, refused.Code);
        Assert.Null(await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None));

        var garbage = await Assert.ThrowsAsync<ApiException>(() => docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = [1, 200, 7, 3] }, CancellationToken.None));
        Assert.Equal(ErrorCodes.InvalidYjsUpdate, garbage.Code);

        var r1 = await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = first }, CancellationToken.None);
        var r1Again = await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = first }, CancellationToken.None);
        Assert.Equal(1, r1.SyncVersion);
        Assert.Equal(1, r1Again.SyncVersion);
        var r2 = await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = second }, CancellationToken.None);
        Assert.Equal(2, r2.SyncVersion);

        var fresh = new YDoc(new YDocOptions { ClientId = 9 });
        fresh.ApplyUpdate(r2.Updates);
        Assert.Equal("one two", fresh.GetText("t").ToString());
        var bad = await Assert.ThrowsAsync<ApiException>(() => docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { StateVector = [5, 1] }, CancellationToken.None));
        Assert.Equal(ErrorCodes.ValidationFailed, bad.Code);
    }

    [Fact]
    public async Task Documents_AResentDeleteSet_IsNoChange_AcrossCompaction_ButANewDeletionIs()
    {
        var user = await NewUserAsync();
        var docs = Documents(compactAfter: 3);
        var doc = new YDoc(new YDocOptions { ClientId = 11 });
        var text = doc.GetText("t");
        text.Insert(0, "abcdefgh");
        text.Delete(1, 2);

        // As a yjs client sends it: everything the server lacks, which always carries the whole delete set.
        async Task<DocumentSyncResponse> SendAsync()
        {
            var head = await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None);
            var update = doc.EncodeStateAsUpdate(head?.StateVector);
            return await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = update, StateVector = doc.EncodeStateVector() }, CancellationToken.None);
        }

        Assert.Equal(1, (await SendAsync()).SyncVersion);
        Assert.Equal(1, (await SendAsync()).SyncVersion);
        text.Delete(0, 1);
        Assert.Equal(2, (await SendAsync()).SyncVersion);
        Assert.Equal(2, (await SendAsync()).SyncVersion);
        text.Insert(0, "x");
        text.Delete(2, 1);
        Assert.Equal(3, (await SendAsync()).SyncVersion); // the log reached 3: compacted after this sync
        var head = await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None);
        Assert.Equal(0, head!.LogCount);
        Assert.Equal(3, (await SendAsync()).SyncVersion);
        Assert.True(YUpdateInspection.DeleteSetCovered(doc.EncodeStateAsUpdate(), head.DeleteSet));

        var reader = new YDoc(new YDocOptions { ClientId = 12 });
        reader.ApplyUpdate((await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest(), CancellationToken.None)).Updates);
        Assert.Equal(text.ToString(), reader.GetText("t").ToString());
        Assert.Equal("xdfgh", reader.GetText("t").ToString());
    }

    [Fact]
    public async Task Documents_AnotherUsersNoteWithTheSameId_StaysSeparate()
    {
        var alice = await NewUserAsync();
        var bob = await NewUserAsync();
        var docs = Documents();
        var a = new Replica(1);
        a.Doc.GetText("t").Insert(0, "alice's");
        await a.SyncAsync(docs, alice.UserId, "note_1");
        var b = new Replica(2);
        b.Doc.GetText("t").Insert(0, "bob's");
        await b.SyncAsync(docs, bob.UserId, "note_1");

        var readerA = new Replica(3);
        await readerA.SyncAsync(docs, alice.UserId, "note_1");
        var readerB = new Replica(4);
        await readerB.SyncAsync(docs, bob.UserId, "note_1");
        Assert.Equal("alice's", readerA.Text);
        Assert.Equal("bob's", readerB.Text);
    }

    [Fact]
    public async Task Documents_CompactionFoldsTheLog_AndClientsOnEitherSideOfItStillConverge()
    {
        var user = await NewUserAsync();
        var docs = Documents(compactAfter: 10);
        var writer = new Replica(1);
        var early = new Replica(2);
        await early.SyncAsync(docs, user.UserId, "n");
        for (var i = 0; i < 35; i++)
        {
            writer.Doc.GetText("t").Insert(writer.Doc.GetText("t").Length, $"{i % 10}");
            if (i % 7 == 3)
            {
                writer.Doc.GetText("t").Delete(0, 1);
            }

            await writer.SyncAsync(docs, user.UserId, "n");
        }

        var head = (await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None))!;
        Assert.True(head.SnapshotSeq > 0, "the log was never compacted");
        Assert.True(head.LogCount < 10);

        await early.SyncAsync(docs, user.UserId, "n");   // behind the snapshot: gets a diff of it
        var late = new Replica(3);
        await late.SyncAsync(docs, user.UserId, "n");    // from nothing
        Assert.Equal(writer.Text, early.Text);
        Assert.Equal(writer.Text, late.Text);
        Assert.Equal(writer.Doc.GetDeleteSet(), late.Doc.GetDeleteSet());

        // A caught-up client's answer does not carry the snapshot's structs.
        var answer = await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { StateVector = writer.Doc.EncodeStateVector() }, CancellationToken.None);
        var probe = new YDoc(new YDocOptions { ClientId = 8 });
        probe.ApplyUpdate(answer.Updates);
        Assert.Equal("", probe.GetText("t").ToString());
    }

    [Theory]
    [InlineData(StoreFaults.AfterSnapshotWrite)]
    [InlineData(StoreFaults.BeforeCommit)]
    public async Task Documents_ACrashDuringCompaction_LosesNothing(string point)
    {
        var user = await NewUserAsync();
        var docs = Documents(compactAfter: 1000);
        var writer = new Replica(1);
        for (var i = 0; i < 20; i++)
        {
            writer.Doc.GetText("t").Insert(0, $"{i},");
            await writer.SyncAsync(docs, user.UserId, "n");
        }

        Faults.OnPoint = p => p == point ? throw new StoreException("crash", isTransient: true) : ValueTask.CompletedTask;
        await Assert.ThrowsAsync<StoreException>(() => docs.CompactAsync(user.UserId, "n", CancellationToken.None));
        Faults.OnPoint = null;

        var head = (await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None))!;
        Assert.Equal(0, head.SnapshotSeq);
        Assert.Equal(20, head.LogCount);
        var reader = new Replica(2);
        await reader.SyncAsync(docs, user.UserId, "n");
        Assert.Equal(writer.Text, reader.Text);

        Assert.True(await docs.CompactAsync(user.UserId, "n", CancellationToken.None));
        var late = new Replica(3);
        await late.SyncAsync(docs, user.UserId, "n");
        Assert.Equal(writer.Text, late.Text);
        Assert.Equal(0, (await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None))!.LogCount);
    }

    [Fact]
    public async Task Documents_ConcurrentSyncsAndCompactions_OfOneDocument_LoseNothing()
    {
        var user = await NewUserAsync();
        var docs = Documents(compactAfter: 5);
        var writers = Enumerable.Range(0, 4).Select(i => new Replica((ulong)(i + 1))).ToArray();
        await Task.WhenAll(writers.Select((w, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 15; n++)
            {
                w.Doc.GetText("t").Insert(0, $"[{i}:{n}]");
                await w.SyncAsync(docs, user.UserId, "n");
                if (n % 4 == 0)
                {
                    await docs.CompactAsync(user.UserId, "n", CancellationToken.None);
                }
            }
        })));

        var reader = new Replica(9);
        await reader.SyncAsync(docs, user.UserId, "n");
        foreach (var w in writers)
        {
            await w.SyncAsync(docs, user.UserId, "n");
            Assert.Equal(reader.Text, w.Text);
        }

        for (var i = 0; i < 4; i++)
        {
            for (var n = 0; n < 15; n++)
            {
                Assert.Contains($"[{i}:{n}]", reader.Text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Documents_AnAppendAgainstAHeadThatMoved_AdvancesTheCurrentState_NotTheOneSeen()
    {
        var user = await NewUserAsync();
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        var updates = new List<byte[]>();
        var states = new List<DocumentState>();
        for (var i = 0; i < 3; i++)
        {
            var before = doc.EncodeStateVector();
            doc.GetText("t").Insert(0, $"{i}");
            updates.Add(doc.EncodeStateAsUpdate(before));
            states.Add(new DocumentState(doc.EncodeStateVector(), YUpdateInspection.DeleteSetOf(doc.EncodeStateAsUpdate())));
        }

        async Task<(DocumentView View, List<DocumentState> Given)> AppendAsync(int i, DocumentHead? seen)
        {
            var given = new List<DocumentState>();
            var view = await Store.AppendDocumentUpdateAsync(user.UserId, "n", updates[i], seen, current =>
            {
                given.Add(current);
                return states[i];
            }, includeSnapshot: false, Time.GetUtcNow(), CancellationToken.None);
            return (view, given);
        }

        var (created, _) = await AppendAsync(0, seen: null);
        Assert.Equal(1, created.Head.SyncVersion);
        var seen = (await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None))!;
        var (second, _) = await AppendAsync(1, seen);
        Assert.Equal(2, second.Head.SyncVersion);

        // The same head again: another append has moved the document since it was read.
        var (third, given) = await AppendAsync(2, seen);
        Assert.Equal(states[1].StateVector, given[^1].StateVector);
        Assert.Equal(3, third.Head.SyncVersion);
        Assert.Equal(states[2].StateVector, third.Head.StateVector);
        Assert.Equal(updates, third.Log.Select(e => e.Update));
        Assert.Equal(3, third.Log.Select(e => e.Seq).Distinct().Count());
        Assert.Equal((3, updates.Sum(u => (long)u.Length)), (third.Head.LogCount, third.Head.LogBytes));

        var reread = (await Store.ReadDocumentAsync(user.UserId, "n", includeSnapshot: false, CancellationToken.None))!;
        Assert.Equal(3, reread.Head.SyncVersion);
        Assert.Equal(states[2].StateVector, reread.Head.StateVector);
        Assert.Equal(states[2].DeleteSet, reread.Head.DeleteSet);
        Assert.Equal(updates, reread.Log.Select(e => e.Update));
    }

    [Fact]
    public async Task Documents_ATenThousandBlockDocument_RoundTrips()
    {
        var user = await NewUserAsync();
        var docs = Documents();
        var author = new Replica(1);
        author.Doc.Transact(_ =>
        {
            var blocks = author.Doc.GetMap("blocks");
            for (var i = 0; i < 10_000; i++)
            {
                var block = blocks.Set($"block-{i}", new YMap());
                block.Set("sys:flavour", "affine:paragraph");
                block.Set("prop:text", new YText()).Insert(0, $"Paragraph {i} of a long note.");
                block.Set("sys:children", new YArray());
            }
        });

        await author.SyncAsync(docs, user.UserId, "big");
        var reader = new Replica(2);
        await reader.SyncAsync(docs, user.UserId, "big");
        var blocks = reader.Doc.GetMap("blocks");
        Assert.Equal(10_000, blocks.Count);
        Assert.Equal("Paragraph 9999 of a long note.", blocks.Get<YMap>("block-9999")!.Get<YText>("prop:text")!.ToString());
        Assert.Equal(author.Doc.EncodeStateVector(), reader.Doc.EncodeStateVector());
    }
}
