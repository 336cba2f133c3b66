using FrameLord.Sync.Crdt;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Sqlite;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>
/// SQLite has one writer and one WAL sync per commit: live appends of many notes that queue while a commit runs
/// are stored by the next commit together, each on its own document, each caller answered with its own head.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private SqliteSyncStore _store = null!;
    private readonly StoreFaults _faults = new();

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _store = (SqliteSyncStore)await _db.OpenStoreAsync(TimeProvider.System, _faults);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task AppendsOfManyNotesQueuedDuringACommit_AreStoredByTheNextCommitTogether()
    {
        var user = new UserRecord("usr_1", "a@example.com", "hash", "A", "cnt_zero_1", DateTimeOffset.UnixEpoch);
        Assert.True(await _store.TryCreateUserAsync(user, CancellationToken.None));
        static (byte[] Update, DocumentState State) Typed(ulong client)
        {
            var doc = new YDoc(new YDocOptions { ClientId = client });
            doc.GetText("t").Insert(0, $"note {client}");
            return (doc.EncodeStateAsUpdate(), new DocumentState(doc.EncodeStateVector(), [0, 0]));
        }

        Task<DocumentAppend> Append(int note)
        {
            var (update, state) = Typed((ulong)note + 1);
            return _store.AppendDocumentUpdatesAsync(user.UserId, $"n{note}", [update], seen: null, _ => state, DateTimeOffset.UnixEpoch, CancellationToken.None);
        }

        var inCommit = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        _faults.OnPoint = async point =>
        {
            if (point == StoreFaults.BeforeCommit && inCommit.TrySetResult())
            {
                await release.Task;
            }
        };
        var before = _store.AppendCommits;
        var first = Append(0);
        await inCommit.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(1, 20).Select(Append).ToList();
        while (_store.QueuedAppends < 20)
        {
            await Task.Delay(10);
        }

        release.SetResult();
        var heads = await Task.WhenAll(queued.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, _store.AppendCommits - before);
        Assert.All(heads, h => Assert.Equal(1, h.Head.SyncVersion));
        for (var note = 0; note <= 20; note++)
        {
            var view = (await _store.ReadDocumentAsync(user.UserId, $"n{note}", includeSnapshot: false, CancellationToken.None))!;
            Assert.Equal([Typed((ulong)note + 1).Update], view.Log.Select(e => e.Update));
            Assert.Equal(Typed((ulong)note + 1).State.StateVector, heads[note].Head.StateVector);
        }
    }

    [Fact]
    public async Task AppendsAfterAFailedCommit_StoreOnAFreshConnection_AndEachHeadCountsItsNote()
    {
        var user = new UserRecord("usr_1", "a@example.com", "hash", "A", "cnt_zero_1", DateTimeOffset.UnixEpoch);
        Assert.True(await _store.TryCreateUserAsync(user, CancellationToken.None));
        var doc = new YDoc(new YDocOptions { ClientId = 7 });
        var text = doc.GetText("t");
        Task<DocumentAppend> Type(string note, string characters)
        {
            var before = doc.EncodeStateVector();
            text.Insert(text.Length, characters);
            var update = doc.EncodeStateAsUpdate(before);
            var state = new DocumentState(doc.EncodeStateVector(), [0, 0]);
            return _store.AppendDocumentUpdatesAsync(user.UserId, note, [update], seen: null, _ => state, DateTimeOffset.UnixEpoch, CancellationToken.None);
        }

        var first = await Type("n1", "ab");
        var fail = true;
        _faults.OnPoint = point =>
        {
            if (point == StoreFaults.BeforeCommit && fail)
            {
                fail = false;
                throw new IOException("disk gone");
            }

            return ValueTask.CompletedTask;
        };
        await Assert.ThrowsAsync<IOException>(() => Type("n1", "cd"));
        // The same statements again after the failure (the failed one rolled back: its version is not taken).
        var second = await Type("n1", "ef");
        var afterSecond = doc.EncodeStateVector();
        var other = await Type("n2", "gh");

        Assert.Equal(1, first.Head.SyncVersion);
        Assert.Equal(2, second.Head.SyncVersion);
        Assert.Equal(1, other.Head.SyncVersion);
        Assert.Equal(2, second.Head.LogCount);
        Assert.Equal(second.Head.LogBytes, second.StoredBytes);
        var view = (await _store.ReadDocumentAsync(user.UserId, "n1", includeSnapshot: false, CancellationToken.None))!;
        Assert.Equal(2, view.Log.Count);
        Assert.Equal(view.Head.SyncVersion, second.Head.SyncVersion);
        Assert.Equal(view.Head.LogBytes, second.Head.LogBytes);
        Assert.Equal(afterSecond, second.Head.StateVector);
    }
}
