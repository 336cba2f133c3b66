using FrameLord.Sync.Server.Storage.Postgres;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Storage;

public sealed class PostgresStoreConformanceTests() : StoreConformanceTests(Backend.Postgres)
{
    [Fact]
    public async Task WritesBeyondTheWriteSlots_WaitTheirTurn_AndACancelledWaitTakesNoSlot()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var store = new PostgresSyncStore(Db.Storage.ConnectionString!, Time, maxConcurrentWrites: 1);
        await store.InitializeAsync(cancellationToken);
        Assert.Equal(1, store.MaxConcurrentWrites);
        var a = await NewUserAsync();
        var b = await NewUserAsync();

        var first = await store.BeginWriteAsync(a.UserId, cancellationToken);
        var second = store.BeginWriteAsync(b.UserId, cancellationToken);
        await Task.Delay(300, cancellationToken);
        Assert.False(second.IsCompleted); // another user's write, but no slot is free

        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendDocumentUpdateAsync(b.UserId, "n", [0, 0],
                seen: null, state => state, includeSnapshot: false, Time.GetUtcNow(), impatient.Token));
        }

        await first.DisposeAsync();
        await using (var session = await second.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken))
        {
            Assert.Equal(b.UserId, session.User.UserId);
        }

        // Both slots given back exactly once: the next write gets one at once, and only one.
        var third = await store.BeginWriteAsync(a.UserId, cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        var fourth = store.BeginWriteAsync(b.UserId, cancellationToken);
        await Task.Delay(300, cancellationToken);
        Assert.False(fourth.IsCompleted);
        await third.DisposeAsync();
        await (await fourth.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken)).DisposeAsync();
    }
}
