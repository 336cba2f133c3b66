using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.Time.Testing;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>
/// The storage conformance suite: the sync engine over a real store, run once per backend by a
/// sealed subclass. Each test gets a fresh database.
/// </summary>
public abstract partial class StoreConformanceTests(Backend backend) : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = null!;

    protected ISyncStore Store { get; private set; } = null!;

    protected StoreFaults Faults { get; } = new();

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero));

    protected SyncOptions Options { get; } = new();

    protected LimitOptions Limits { get; } = new();

    protected SyncService Sync { get; private set; } = null!;

    private int _users;

    public async ValueTask InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync(backend);
        Store = await Db.OpenStoreAsync(Time, Faults);
        Sync = new SyncService(Store, Options, Limits, Time, new SeededIdGenerator(42));
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected SyncService WithPolicy(ConflictPolicy policy) =>
        new(Store, new SyncOptions { ConflictPolicy = policy }, Limits, Time, new SeededIdGenerator(7));

    protected async Task<UserRecord> NewUserAsync()
    {
        var n = Interlocked.Increment(ref _users);
        var user = new UserRecord($"usr_{n}", $"user{n}@example.com", "hash", $"User {n}", $"cnt_zero_{n}", Time.GetUtcNow());
        Assert.True(await Store.TryCreateUserAsync(user, CancellationToken.None));
        return user;
    }

    protected Task<PushResponse> PushAsync(UserRecord user, string device, params Change[] changes) =>
        Sync.PushAsync(user.UserId, Push(device, changes), CancellationToken.None);

    /// <summary>Pulls every page from the beginning (or a cursor) with the given page size.</summary>
    protected async Task<(List<PulledChange> Changes, string Cursor)> PullAllAsync(UserRecord user, string device = "dev_reader", string? cursor = null, int limit = 1000)
    {
        var all = new List<PulledChange>();
        while (true)
        {
            var page = await Sync.PullAsync(user.UserId, Pull(device, cursor, limit), CancellationToken.None);
            all.AddRange(page.Changes);
            cursor = page.Cursor;
            if (!page.HasMore)
            {
                return (all, cursor);
            }
        }
    }

    protected async Task<PulledChange> PullOneAsync(UserRecord user, string entityId)
    {
        var (changes, _) = await PullAllAsync(user);
        return Assert.Single(changes, c => c.EntityId == entityId);
    }

    protected static string Field(PulledChange change, string name) => change.Data.GetProperty(name).ToString();

    [Fact]
    public async Task Initialize_RecordsTheSchemaVersion_AndIsIdempotent()
    {
        var version = await Store.GetSchemaVersionAsync(CancellationToken.None);
        Assert.True(version >= 1);
        await Store.InitializeAsync(CancellationToken.None);
        Assert.Equal(version, await Store.GetSchemaVersionAsync(CancellationToken.None));
        Assert.True(await Store.IsReachableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Users_EmailIsUnique_AndContactZeroIsOnePerUser()
    {
        var user = await NewUserAsync();
        var sameEmail = user with { UserId = "usr_other", ContactZeroId = "cnt_other" };
        Assert.False(await Store.TryCreateUserAsync(sameEmail, CancellationToken.None));
        var sameContactZero = user with { UserId = "usr_third", Email = "third@example.com" };
        Assert.False(await Store.TryCreateUserAsync(sameContactZero, CancellationToken.None));
        Assert.Equal(user.UserId, (await Store.FindUserByEmailAsync(user.Email, CancellationToken.None))!.UserId);
        Assert.Null(await Store.FindUserByEmailAsync("nobody@example.com", CancellationToken.None));
    }
}
