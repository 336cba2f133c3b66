using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Storage;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.TestKit;

/// <summary>A throwaway database: a SQLite file in a temporary folder, or a fresh PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;

    private TestDatabase(Backend backend, StorageOptions storage, string? folder)
    {
        Backend = backend;
        Storage = storage;
        _folder = folder;
    }

    public Backend Backend { get; }

    public StorageOptions Storage { get; }

    /// <summary>A folder that is deleted with the database (SQLite: the one holding the file).</summary>
    public string Folder => _folder ?? Path.GetTempPath();

    public static async Task<TestDatabase> CreateAsync(Backend backend)
    {
        if (backend == Backend.Postgres)
        {
            var connectionString = await PostgresEnvironment.CreateDatabaseAsync();
            var folder = Directory.CreateTempSubdirectory("framelord-test-").FullName;
            return new TestDatabase(backend, new StorageOptions { Provider = "postgres", ConnectionString = connectionString }, folder);
        }

        var dir = Directory.CreateTempSubdirectory("framelord-test-").FullName;
        var sqlite = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "sync.db") }.ConnectionString;
        return new TestDatabase(backend, new StorageOptions { Provider = "sqlite", ConnectionString = sqlite }, dir);
    }

    /// <summary>A new store over this database, schema initialized.</summary>
    public async Task<ISyncStore> OpenStoreAsync(TimeProvider? time = null, StoreFaults? faults = null)
    {
        var store = StoreFactory.Create(Storage, time ?? TimeProvider.System, faults);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        if (Backend == Backend.Postgres)
        {
            await PostgresEnvironment.DropDatabaseAsync(Storage.ConnectionString!);
        }

        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the temporary folder is cleaned by the system later.
            }
        }
    }
}
