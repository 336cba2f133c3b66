using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Live.Sockets;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>
/// The per-note writer: updates queued while a write runs go to the store as one batch in order; each update's
/// outcome completes its own socket's wait; what one write learnt of the document is handed to the next.
/// </summary>
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

    private static KnownDocument Known(long version) =>
        new(new DocumentHead(version, [0], [0], [0, 0], 0, (int)version, version, [0, 0]), version);

    /// <summary>A store that records each batch and the known state it was given, and waits on a gate before answering.</summary>
    private sealed class ScriptedStore
    {
        public TaskCompletionSource Gate { get; } = new();

        public TaskCompletionSource Started { get; } = new();

        public List<(IReadOnlyList<LiveUpdate> Batch, KnownDocument? Known)> Calls { get; } = [];

        public Func<int, LiveUpdate, LiveOutcome> Outcome { get; set; } = (version, _) => new LiveOutcome(version, null);

        public bool Fail { get; set; }

        public async Task<LiveAppendResult> StoreAsync(IReadOnlyList<LiveUpdate> batch, KnownDocument? known)
        {
            Calls.Add((batch, known));
            Started.TrySetResult();
            await Gate.Task;
            if (Fail)
            {
                throw new StoreException("down", isTransient: true);
            }

            var outcomes = batch.Select((u, i) => Outcome(Calls.Count * 100 + i, u)).ToArray();
            return new LiveAppendResult(outcomes, Known(Calls.Count));
        }
    }

    [Fact]
    public async Task UpdatesQueuedDuringAWrite_GoToTheStoreAsOneBatch_InOrder_WithTheirOrigins()
    {
        var hub = new NoteHub("u", "n");
        var store = new ScriptedStore();
        var idle = new TaskCompletionSource();
        var (a, b) = (new Peer(), new Peer());
        var first = hub.StoreAsync(Insert(1, "a"), a, 1 << 20, store.StoreAsync, _ => idle.TrySetResult());
        await store.Started.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the writer is inside the first append
        var second = hub.StoreAsync(Insert(2, "b"), a, 1 << 20, store.StoreAsync, _ => idle.TrySetResult());
        var third = hub.StoreAsync(Insert(3, "c"), b, 1 << 20, store.StoreAsync, _ => idle.TrySetResult());
        store.Gate.SetResult();
        Assert.Equal([100L, 200L, 201L], await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(30)));
        await idle.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, store.Calls.Count);
        Assert.Null(store.Calls[0].Known); // nothing known before the first write: the service reads it
        Assert.Equal(1, store.Calls[1].Known!.Head!.SyncVersion); // the first write's result, handed on
        Assert.Equal([a, b], store.Calls[1].Batch.Select(u => u.Origin));
        Assert.Equal([Insert(2, "b"), Insert(3, "c")], store.Calls[1].Batch.Select(u => u.Update));
        Assert.False(hub.IsWriting);
    }

    [Fact]
    public async Task ARefusedUpdateInABatch_FailsAlone_AndTheOthersComplete()
    {
        var hub = new NoteHub("u", "n");
        var store = new ScriptedStore();
        var bad = new byte[] { 0xde, 0xad };
        store.Outcome = (version, u) => u.Update.SequenceEqual(bad)
            ? new LiveOutcome(null, new ApiException(400, ErrorCodes.InvalidYjsUpdate, "bad"))
            : new LiveOutcome(version, null);
        var first = hub.StoreAsync(Insert(1, "a"), new Peer(), 1 << 20, store.StoreAsync, _ => { });
        await store.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var refused = hub.StoreAsync(bad, new Peer(), 1 << 20, store.StoreAsync, _ => { });
        var good = hub.StoreAsync(Insert(2, "b"), new Peer(), 1 << 20, store.StoreAsync, _ => { });
        store.Gate.SetResult();

        await first.WaitAsync(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<ApiException>(() => refused.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorCodes.InvalidYjsUpdate, error.Code);
        Assert.Equal(201, await good.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AFailedWrite_FailsItsBatch_AndTheNextWriteReadsTheDocumentAgain()
    {
        var hub = new NoteHub("u", "n");
        var store = new ScriptedStore();
        store.Gate.SetResult();
        Assert.Equal(100, await hub.StoreAsync(Insert(1, "a"), new Peer(), 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30)));
        store.Fail = true;
        await Assert.ThrowsAsync<StoreException>(() => hub.StoreAsync(Insert(2, "b"), new Peer(), 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30)));
        store.Fail = false;
        await hub.StoreAsync(Insert(3, "c"), new Peer(), 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(store.Calls[1].Known);
        Assert.Null(store.Calls[2].Known); // what the failed write knew may be wrong: read again
    }
}
