using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>The live sockets' batched append: in order, one log entry and one sync_version per stored update, refusals alone.</summary>
public abstract partial class StoreConformanceTests
{
    private static byte[] Typed(YDoc doc, string text)
    {
        var before = doc.EncodeStateVector();
        doc.GetText("t").Insert(doc.GetText("t").Length, text);
        return doc.EncodeStateAsUpdate(before);
    }

    [Fact]
    public async Task LiveBatch_StoresEachUpdateInOrder_InOneAppend_AndARefusedOneFailsAlone()
    {
        var user = await NewUserAsync();
        var docs = Documents();
        var a = new YDoc(new YDocOptions { ClientId = 1 });
        var b = new YDoc(new YDocOptions { ClientId = 2 });
        var a1 = Typed(a, "one");
        var a2 = Typed(a, " two"); // depends on a1, earlier in the same batch
        var b1 = Typed(b, "B");
        var orphan = new YDoc(new YDocOptions { ClientId = 3 });
        Typed(orphan, "lost");
        var gap = Typed(orphan, "gap"); // depends on content the server never had
        var changed = new List<long>();
        docs.DocumentChanged += (_, _, version) => changed.Add(version);

        var result = await docs.ApplyUpdatesAsync(user.UserId, "n",
            [new(a1, "a"), new([0xff, 0xff, 0xff], "x"), new(a2, "a"), new(gap, "c"), new(b1, "b"), new(a1, "a")], known: null, CancellationToken.None);

        Assert.Equal([1L, null, 2L, null, 3L, null], result.Outcomes.Select(o => o.Version));
        Assert.Equal([null, ErrorCodes.InvalidYjsUpdate, null, ErrorCodes.InvalidYjsUpdate, null, null], result.Outcomes.Select(o => o.Refusal?.Code));
        Assert.Equal([3L], changed); // one live event for the batch, at its last version
        var view = (await Store.ReadDocumentAsync(user.UserId, "n", includeSnapshot: false, CancellationToken.None))!;
        Assert.Equal([a1, a2, b1], view.Log.Select(e => e.Update));
        Assert.Equal(3, view.Head.SyncVersion);
        Assert.Equal((view.Head.SyncVersion, Convert.ToHexString(view.Head.StateVector), view.Head.LogBytes),
            (result.Known.Head!.SyncVersion, Convert.ToHexString(result.Known.Head.StateVector), result.Known.Head.LogBytes));
        Assert.Equal(a1.Length + a2.Length + b1.Length, result.Known.StoredBytes);

        var reader = new YDoc(new YDocOptions { ClientId = 9 });
        reader.ApplyUpdate((await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest(), CancellationToken.None)).Updates);
        Assert.Contains("one two", reader.GetText("t").ToString(), StringComparison.Ordinal);
        Assert.Contains("B", reader.GetText("t").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveBatch_AgainstAKnownStateThatMoved_ChecksAgainstTheStoredOne_AndAdvancesIt()
    {
        var user = await NewUserAsync();
        var docs = Documents();
        var a = new YDoc(new YDocOptions { ClientId = 1 });
        var first = await docs.ApplyUpdatesAsync(user.UserId, "n", [new(Typed(a, "one"), null)], known: null, CancellationToken.None);

        // A sync request moves the document behind the writer's back; the next socket update depends on it.
        var rest = Typed(a, " two");
        await docs.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = rest }, CancellationToken.None);
        var next = Typed(a, " three");
        var result = await docs.ApplyUpdatesAsync(user.UserId, "n", [new(next, null)], first.Known, CancellationToken.None);

        Assert.Equal(3, result.Outcomes[0].Version);
        var head = (await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None))!;
        Assert.Equal(a.EncodeStateVector(), head.StateVector);
        Assert.Equal((head.SyncVersion, Convert.ToHexString(head.StateVector)), (result.Known.Head!.SyncVersion, Convert.ToHexString(result.Known.Head.StateVector)));
    }

    [Fact]
    public async Task AppendDocumentUpdates_LogsEachUpdate_BumpsOncePerUpdate_AndReportsTheStoredBytes()
    {
        var user = await NewUserAsync();
        var a = new YDoc(new YDocOptions { ClientId = 1 });
        var updates = new List<byte[]> { Typed(a, "x"), Typed(a, "y"), Typed(a, "z") };
        var state = new DocumentState(a.EncodeStateVector(), YUpdateInspection.DeleteSetOf(a.EncodeStateAsUpdate()));

        var appended = await Store.AppendDocumentUpdatesAsync(user.UserId, "n", updates, seen: null, _ => state, Time.GetUtcNow(), CancellationToken.None);
        var again = await Store.AppendDocumentUpdatesAsync(user.UserId, "n", [Typed(a, "!")], appended.Head, _ => state, Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(3, appended.Head.SyncVersion);
        Assert.Equal((3, updates.Sum(u => (long)u.Length)), (appended.Head.LogCount, appended.Head.LogBytes));
        Assert.Equal(appended.Head.LogBytes, appended.StoredBytes);
        Assert.Equal(state.StateVector, appended.Head.StateVector);
        Assert.Equal(4, again.Head.SyncVersion);
        var view = (await Store.ReadDocumentAsync(user.UserId, "n", includeSnapshot: false, CancellationToken.None))!;
        Assert.Equal(updates, view.Log.Take(3).Select(e => e.Update));
        Assert.Equal(4, view.Log.Select(e => e.Seq).Distinct().Count());
        Assert.True(view.Log.Select(e => e.Seq).SequenceEqual(view.Log.Select(e => e.Seq).Order()));
    }
}
