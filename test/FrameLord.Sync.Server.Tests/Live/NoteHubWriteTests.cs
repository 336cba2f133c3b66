using FrameLord.Sync.Crdt;
using FrameLord.Sync.Server.Live.Sockets;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>The per-note writer: updates queued while a write runs are merged into one append; one bad update fails alone.</summary>
public sealed class NoteHubWriteTests
{
    private sealed class Peer : INotePeer
    {
        public void SendUpdate(byte[] update)
        {
        }

        public void SendAwareness(byte[] awarenessUpdate)
        {
        }
    }

    private static byte[] Insert(ulong client, string text)
    {
        var doc = new YDoc(new YDocOptions { ClientId = client });
        doc.GetText("t").Insert(0, text);
        return doc.EncodeStateAsUpdate();
    }

    [Fact]
    public async Task UpdatesQueuedDuringAWrite_AreStoredAsOneMergedAppend_InOrder()
    {
        var hub = new NoteHub("u", "n");
        var gate = new TaskCompletionSource();
        var appends = new List<(byte[] Update, INotePeer? Origin)>();
        var idle = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        async Task<long?> Store(byte[] update, INotePeer? origin)
        {
            appends.Add((update, origin));
            started.TrySetResult();
            await gate.Task;
            return appends.Count;
        }

        var peer = new Peer();
        var first = hub.StoreAsync(Insert(1, "a"), peer, 1 << 20, Store, _ => idle.TrySetResult());
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the writer is inside the first append
        var second = hub.StoreAsync(Insert(2, "b"), peer, 1 << 20, Store, _ => idle.TrySetResult());
        var third = hub.StoreAsync(Insert(3, "c"), new Peer(), 1 << 20, Store, _ => idle.TrySetResult());
        gate.SetResult();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(30));
        await idle.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, appends.Count);
        Assert.Same(peer, appends[0].Origin);
        Assert.Null(appends[1].Origin); // merged from two sockets: sent to every socket
        var doc = new YDoc(new YDocOptions { ClientId = 9 });
        doc.ApplyUpdate(appends[1].Update);
        Assert.Equal([2UL, 3UL], YUpdate.DecodeStateVector(doc.EncodeStateVector()).Keys.Order());
        Assert.False(hub.IsWriting);
    }

    [Fact]
    public async Task ABadUpdateInAMergedBatch_FailsAlone_AndTheOthersAreStored()
    {
        var hub = new NoteHub("u", "n");
        var gate = new TaskCompletionSource();
        var stored = new List<byte[]>();
        var started = new TaskCompletionSource();
        async Task<long?> Store(byte[] update, INotePeer? origin)
        {
            started.TrySetResult();
            await gate.Task;
            _ = YUpdate.DecodeStateVector(YUpdate.EncodeStateVectorFromUpdate(update)); // refuses what does not decode
            stored.Add(update);
            return stored.Count;
        }

        var first = hub.StoreAsync(Insert(1, "a"), new Peer(), 1 << 20, Store, _ => { });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var bad = hub.StoreAsync([0xde, 0xad, 0xbe, 0xef], new Peer(), 1 << 20, Store, _ => { });
        var good = hub.StoreAsync(Insert(2, "b"), new Peer(), 1 << 20, Store, _ => { });
        gate.SetResult();

        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<Exception>(() => bad.WaitAsync(TimeSpan.FromSeconds(30)));
        await good.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, stored.Count);
    }
}
