using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Live.Sockets;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>
/// The per-note writer: updates queued while a write runs go to the store as one batch in order; each update's
/// outcome completes its own socket's wait; what one write learnt of the document is handed to the next.
/// </summary>
public sealed class NoteHubWriteTests
{
    private sealed class Peer : INotePeer
    {
        public List<byte[]> Updates { get; } = [];

        public void SendUpdate(OutgoingUpdate update) => Updates.Add(update.Update);

        public void SendAwareness(byte[] awarenessUpdate)
        {
        }

        public int Resyncs { get; private set; }

        public void Resync() => Resyncs++;
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

    /// <summary>A store whose first append answers at once and whose later ones wait on <see cref="Gate"/>.</summary>
    private sealed class GatedStore
    {
        public TaskCompletionSource Gate { get; } = new();

        public List<IReadOnlyList<LiveUpdate>> Calls { get; } = [];

        public bool Refuse { get; set; }

        public async Task<LiveAppendResult> StoreAsync(IReadOnlyList<LiveUpdate> batch, KnownDocument? known)
        {
            Calls.Add(batch);
            if (Calls.Count > 1)
            {
                await Gate.Task;
            }

            var outcomes = batch.Select((_, i) => Refuse
                ? new LiveOutcome(null, new ApiException(413, ErrorCodes.PayloadTooLarge, "full"))
                : new LiveOutcome(Calls.Count * 100 + i, null)).ToArray();
            return new LiveAppendResult(outcomes, Known(Calls.Count));
        }
    }

    [Fact]
    public async Task AnUpdateTheCheckAccepts_ReachesTheOtherPeersBeforeItIsStored_ButCompletesOnlyOnceStored()
    {
        var checks = 0;
        var hub = new NoteHub("u", "n") { Precheck = (_, _) => ++checks > 0 };
        var store = new GatedStore();
        var (writer, reader) = (new Peer(), new Peer());
        hub.Join(writer);
        hub.Join(reader);

        // Before any write the hub knows nothing of the stored document: the first update is checked by the writer only.
        Assert.Equal(100, await hub.StoreAsync(Insert(1, "a"), writer, 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, checks);
        Assert.Empty(reader.Updates); // fanned out after storing by the service's event, not by the hub

        var second = hub.StoreAsync(Insert(2, "b"), writer, 1 << 20, store.StoreAsync, _ => { });
        Assert.Equal(1, checks);
        Assert.Equal([Insert(2, "b")], reader.Updates); // sent while the append still waits
        Assert.Empty(writer.Updates); // never echoed to its sender
        Assert.False(second.IsCompleted);
        store.Gate.SetResult();
        Assert.Equal(200, await second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(new FannedOutOrigin(writer), store.Calls[1][0].Origin); // so the fan-out after storing skips it
    }

    [Fact]
    public async Task AnUpdateTheCheckDoesNotAccept_WaitsForTheStore_AndARefusalOfAnEarlyOne_StopsEarlyFanOut()
    {
        var accept = false;
        var checks = 0;
        var hub = new NoteHub("u", "n") { Precheck = (_, _) => { checks++; return accept; } };
        var store = new GatedStore();
        var (writer, reader) = (new Peer(), new Peer());
        hub.Join(writer);
        hub.Join(reader);
        await hub.StoreAsync(Insert(1, "a"), writer, 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30));

        var waiting = hub.StoreAsync(Insert(2, "b"), writer, 1 << 20, store.StoreAsync, _ => { });
        Assert.Equal(1, checks);
        Assert.Empty(reader.Updates);

        // The store refuses an update the check accepted (the note grew past its limit through REST meanwhile):
        // the hub's state holds something the store does not, so it is dropped and the next update is not fanned out early.
        accept = true;
        store.Refuse = true;
        store.Gate.SetResult();
        await Assert.ThrowsAsync<ApiException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(writer, store.Calls[1][0].Origin); // the plain origin: the service's fan-out sends it once stored
        var early = hub.StoreAsync(Insert(3, "c"), writer, 1 << 20, store.StoreAsync, _ => { });
        await Assert.ThrowsAsync<ApiException>(() => early.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal([Insert(3, "c")], reader.Updates);
        var afterRefusal = hub.StoreAsync(Insert(4, "d"), writer, 1 << 20, store.StoreAsync, _ => { });
        await Assert.ThrowsAsync<ApiException>(() => afterRefusal.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal([Insert(3, "c")], reader.Updates); // not fanned out: the state was dropped
        Assert.Equal(2, checks); // the fourth was not even checked
    }

    [Fact]
    public async Task TheCheckBeforeFanOut_AcceptsOnlyWhatIntegratesAndAddsSomething_AndAdvancesItsState()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        await using var store = await db.OpenStoreAsync();
        var documents = new DocumentService(store, new SyncOptions(), new LimitOptions { MaxDocumentBytes = 200 }, TimeProvider.System);
        var doc = new YDoc(new YDocOptions { ClientId = 9 });
        doc.GetText("t").Insert(0, "ab");
        var first = doc.EncodeStateAsUpdate();
        var vector = doc.EncodeStateVector();
        doc.GetText("t").Insert(2, "c");
        var second = doc.EncodeStateAsUpdate(vector);

        var state = new LiveState(new KnownDocument(null, 0));
        Assert.False(documents.TryAcceptLive(second, state)); // depends on "ab", which the state lacks
        Assert.False(documents.TryAcceptLive([0xff, 0xff, 0xff], state)); // does not decode
        Assert.True(documents.TryAcceptLive(first, state));
        Assert.Equal(2, state.StateVector[9]);
        Assert.Equal(first.Length, state.StoredBytes);
        Assert.False(documents.TryAcceptLive(first, state)); // adds nothing now
        Assert.True(documents.TryAcceptLive(second, state));
        Assert.Equal(3, state.StateVector[9]);
        var large = new YDoc(new YDocOptions { ClientId = 10 });
        large.GetText("t").Insert(0, new string('x', 180));
        Assert.InRange(large.EncodeStateAsUpdate().Length, 200 - state.StoredBytes + 1, 200);
        Assert.False(documents.TryAcceptLive(large.EncodeStateAsUpdate(), state)); // fits alone, not with what is held
    }

    [Fact]
    public async Task TheWriterTakesTheHubsCheck_WhenItsStateIsTheOneChecked_AndChecksAgainWhenARestSyncMovedIt()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        await using var store = await db.OpenStoreAsync();
        Assert.True(await store.TryCreateUserAsync(new UserRecord("u", "u@example.com", "hash", "U", "cnt_zero_u", DateTimeOffset.UnixEpoch), CancellationToken.None));
        var documents = new DocumentService(store, new SyncOptions(), new LimitOptions(), TimeProvider.System);
        var hub = new NoteHub("u", "n") { Precheck = documents.TryAcceptLive };
        var (writer, reader) = (new Peer(), new Peer());
        hub.Join(writer);
        hub.Join(reader);
        var typist = new YDoc(new YDocOptions { ClientId = 1 });
        var text = typist.GetText("t");
        Task<long?> Type(string characters)
        {
            var before = typist.EncodeStateVector();
            text.Insert(text.Length, characters);
            return hub.StoreAsync(typist.EncodeStateAsUpdate(before), writer, 1 << 20,
                (batch, known) => documents.ApplyUpdatesAsync("u", "n", batch, known, CancellationToken.None), _ => { });
        }

        await Type("a").WaitAsync(TimeSpan.FromSeconds(30)); // the first write starts the hub's state: not checked before
        await Task.WhenAll(Type("b"), Type("c"), Type("d")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, documents.ReusedChecks);
        Assert.Equal(3, reader.Updates.Count); // "b", "c", "d" fanned out early

        // Another device's edit through REST, then a keystroke right after it: the hub's state lacks that edit, so
        // its check cannot accept the keystroke; the writer checks it itself (against the stored state) and stores it.
        var other = new YDoc(new YDocOptions { ClientId = 2 });
        other.GetText("t").Insert(0, "z");
        await documents.SyncAsync("u", "n", new DocumentSyncRequest { YjsUpdates = other.EncodeStateAsUpdate() }, CancellationToken.None);
        typist.ApplyUpdate(other.EncodeStateAsUpdate());
        var afterZ = text.ToString().IndexOf('z', StringComparison.Ordinal) + 1;
        var beforeE = typist.EncodeStateVector();
        text.Insert(afterZ, "e");
        await hub.StoreAsync(typist.EncodeStateAsUpdate(beforeE), writer, 1 << 20,
            (batch, known) => documents.ApplyUpdatesAsync("u", "n", batch, known, CancellationToken.None), _ => { }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, documents.ReusedChecks);
        Assert.Equal(3, reader.Updates.Count); // not fanned out early ("e" goes out once stored, by the registry: not here)

        // The hub learnt the stored state with that write: the next keystroke's check is taken again.
        await Type("f").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, documents.ReusedChecks);

        var stored = new YDoc();
        stored.ApplyUpdate((await documents.SyncAsync("u", "n", new DocumentSyncRequest(), CancellationToken.None)).Updates);
        Assert.Equal(text.ToString(), stored.GetText("t").ToString());
        Assert.Equal(7, text.Length);
    }

    [Fact]
    public async Task WhenUpdatesAlreadyFannedOutCannotBeStored_EverySocketOfTheNoteResyncs()
    {
        var hub = new NoteHub("u", "n") { Precheck = (_, _) => true };
        var store = new ScriptedStore();
        var (writer, reader) = (new Peer(), new Peer());
        hub.Join(writer);
        hub.Join(reader);
        store.Gate.SetResult();
        await hub.StoreAsync(Insert(1, "a"), writer, 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((0, 0), (writer.Resyncs, reader.Resyncs)); // stored: nothing to redo

        store.Fail = true;
        var lost = hub.StoreAsync(Insert(2, "b"), writer, 1 << 20, store.StoreAsync, _ => { });
        Assert.Equal([Insert(2, "b")], reader.Updates); // fanned out before the store failed
        await Assert.ThrowsAsync<StoreException>(() => lost.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((1, 1), (writer.Resyncs, reader.Resyncs)); // both reconnect: the reader's sync step carries "b" back

        // Not fanned out (the state was dropped with the failure): a failure then closes only its sender, as before.
        await Assert.ThrowsAsync<StoreException>(() => hub.StoreAsync(Insert(3, "c"), writer, 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((1, 1), (writer.Resyncs, reader.Resyncs));
    }

    [Fact]
    public async Task ASocketJoiningWhileAnEarlyUpdateAwaitsItsWrite_IsSentIt_AndOneJoiningAfterTheWrite_ReadsItFromTheStore()
    {
        var hub = new NoteHub("u", "n") { Precheck = (_, _) => true };
        var store = new GatedStore();
        var (writer, reader) = (new Peer(), new Peer());
        hub.Join(writer);
        hub.Join(reader);
        await hub.StoreAsync(Insert(1, "a"), writer, 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30));

        var second = hub.StoreAsync(Insert(2, "b"), writer, 1 << 20, store.StoreAsync, _ => { });
        var third = hub.StoreAsync(Insert(3, "c"), reader, 1 << 20, store.StoreAsync, _ => { });
        Assert.Equal([Insert(2, "b")], reader.Updates); // fanned out early; the append still waits

        // The stored document a socket joining now reads lacks both: the hub sends them, in order.
        var late = new Peer();
        hub.Join(late);
        Assert.Equal([Insert(2, "b"), Insert(3, "c")], late.Updates);

        // Fanned out after the join: the late peer gets it as any peer, once.
        var fourth = hub.StoreAsync(Insert(4, "d"), writer, 1 << 20, store.StoreAsync, _ => { });
        Assert.Equal([Insert(2, "b"), Insert(3, "c"), Insert(4, "d")], late.Updates);

        store.Gate.SetResult();
        await Task.WhenAll(second, third, fourth).WaitAsync(TimeSpan.FromSeconds(30));
        var later = new Peer();
        hub.Join(later);
        Assert.Empty(later.Updates); // stored now: its own read of the document has them
    }

    [Fact]
    public async Task ARestReadWaitsUntilTheUpdatesFannedOutEarlyHaveFinishedTheirWrite_EvenWhenRefused()
    {
        var hub = new NoteHub("u", "n") { Precheck = (_, _) => true };
        var store = new GatedStore();
        var (writer, reader) = (new Peer(), new Peer());
        hub.Join(writer);
        hub.Join(reader);
        Assert.True(hub.WhenFannedOutStoredAsync().IsCompleted); // nothing pending
        await hub.StoreAsync(Insert(1, "a"), writer, 1 << 20, store.StoreAsync, _ => { }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(hub.WhenFannedOutStoredAsync().IsCompleted); // stored before it was fanned out

        var early = hub.StoreAsync(Insert(2, "b"), writer, 1 << 20, store.StoreAsync, _ => { });
        var read = hub.WhenFannedOutStoredAsync();
        await Task.Delay(50);
        Assert.False(read.IsCompleted); // the socket has "b", the store not yet

        store.Refuse = true;
        store.Gate.SetResult();
        await read.WaitAsync(TimeSpan.FromSeconds(30)); // completes, never faults, whatever the write's outcome
        await Assert.ThrowsAsync<ApiException>(() => early.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(hub.WhenFannedOutStoredAsync().IsCompleted);
    }
}
