using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// The real server engine (sync and document services over the SQLite store) without HTTP, on the
/// simulation's clock. A restart drops every in-memory object and reopens the same database file.
/// </summary>
internal sealed class SimServer(string folder, SyncOptions options, TimeProvider time, IIdGenerator ids) : IAsyncDisposable
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "server.db") }.ToString();

    public ISyncStore Store { get; private set; } = null!;

    public SyncService Sync { get; private set; } = null!;

    public DocumentService Documents { get; private set; } = null!;

    public int Restarts { get; private set; }

    public async Task StartAsync()
    {
        // The simulation restarts the server but never cuts its power: NORMAL loses nothing it can observe.
        Store = new SqliteStoreBackend().Create(new StorageOptions { ConnectionString = _connectionString, SqliteSynchronous = "normal" }, time, faults: null);
        await Store.InitializeAsync(CancellationToken.None);
        var limits = new LimitOptions();
        Sync = new SyncService(Store, options, limits, time, ids);
        Documents = new DocumentService(Store, options, limits, time);
    }

    public async Task RestartAsync()
    {
        await Store.DisposeAsync();
        Restarts++;
        await StartAsync();
    }

    public async Task<UserRecord> CreateUserAsync(string email)
    {
        var user = new UserRecord(ids.NewId("usr"), email, "-", "Simulated User", ids.NewId("cnt"), time.GetUtcNow());
        if (!await Store.TryCreateUserAsync(user, CancellationToken.None))
        {
            throw new InvalidOperationException("The simulation's user already exists.");
        }

        return user;
    }

    public ValueTask DisposeAsync() => Store?.DisposeAsync() ?? ValueTask.CompletedTask;
}
