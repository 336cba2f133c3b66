using System.Net;
using System.Text;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Storage.Sqlite;
using FrameLord.Sync.TestKit;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Tests.Hardening;

/// <summary>The SQLite store as an operator meets it: durability, file permissions, the WAL's size.</summary>
public sealed class SqliteOperationsTests : IDisposable
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerOnlyFile | UnixFileMode.UserExecute;

    private readonly string _folder = Directory.CreateTempSubdirectory("framelord-ops-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<long> SynchronousOf(SqliteSyncStore store)
    {
        await using var connection = await store.OpenAsync(CancellationToken.None);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Commits_AreSynchronousFull_ByDefault_AndTheKnobLowersIt()
    {
        var path = Path.Combine(_folder, "sync.db");
        await using (var store = (SqliteSyncStore)StoreFactory.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }, TimeProvider.System))
        {
            Assert.Equal(2, await SynchronousOf(store)); // FULL
        }

        var lowered = new StorageOptions { ConnectionString = $"Data Source={path}", SqliteSynchronous = "normal" };
        await using (var store = (SqliteSyncStore)StoreFactory.Create(lowered, TimeProvider.System))
        {
            Assert.Equal(1, await SynchronousOf(store)); // NORMAL
        }

        Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(
            new StorageOptions { ConnectionString = $"Data Source={path}", SqliteSynchronous = "sometimes" }, TimeProvider.System));
    }

    [Fact]
    public async Task TheStore_KeepsEnoughPoolThreadsForItsBlockingCommits_AndRefusesANonsenseCount()
    {
        // Its driver blocks a thread per read and commit: the pool keeps at least max(16, 4 x cores) ready.
        var path = Path.Combine(_folder, "sync.db");
        await using (StoreFactory.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }, TimeProvider.System))
        {
            ThreadPool.GetMinThreads(out var workers, out _);
            Assert.True(workers >= Math.Max(16, 4 * Environment.ProcessorCount), $"{workers} worker threads kept");
        }

        Assert.Equal(0, SqliteSettings.From(new StorageOptions { SqliteMinWorkerThreads = -1 }).MinWorkerThreads); // the runtime's own
        Assert.Equal(40, SqliteSettings.From(new StorageOptions { SqliteMinWorkerThreads = 40 }).MinWorkerThreads);
        var refused = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(
            new StorageOptions { ConnectionString = $"Data Source={path}", SqliteMinWorkerThreads = -5 }, TimeProvider.System));
        Assert.Contains("Storage:SqliteMinWorkerThreads", refused.Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheDatabase_ItsWalAndShm_AndTheKeyFile_AreOwnerOnly()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Unix permissions");
        var path = Path.Combine(_folder, "new", "data", "sync.db");
        await using (var store = StoreFactory.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }, TimeProvider.System))
        {
            await store.InitializeAsync(CancellationToken.None);
            Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(path));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(path + "-wal"));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(path + "-shm"));
        }

        var keyFile = Path.Combine(_folder, "keys", "signing.key");
        SigningKeyProvider.Resolve(new AuthOptions { SigningKeyFile = keyFile }, new StorageOptions(), new SqliteStoreBackend());
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(keyFile));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.GetDirectoryName(keyFile)!));
    }

    [Fact]
    public async Task TheWal_StaysBounded_AfterManyWrites_EvenWhenAReaderHeldItBack()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        const long bound = 1024 * 1024;
        await using var server = await TestServer.StartAsync(db, new Dictionary<string, string>
        {
            ["Limits:RequestsPerMinute"] = "1000000",
            ["Storage:SqliteWalTruncateBytes"] = bound.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var client = server.Client((await server.SignupAsync()).AccessToken);
        var file = new SqliteConnectionStringBuilder(db.Storage.ConnectionString).DataSource;
        var padding = new string('x', 2000);
        var n = 0;

        async Task PushAsync(int batches)
        {
            for (var b = 0; b < batches; b++)
            {
                var changes = string.Join(',', Enumerable.Range(0, 20).Select(_ =>
                    $$"""{"change_id":"c{{++n}}","entity_type":"contact","entity_id":"e{{n}}","operation":"create","data":{"name":"{{padding}}"},"client_timestamp":"2025-12-05T10:30:00Z","sync_version":1,"base_version":0}"""));
                var response = await client.PostAsync("/api/v1/sync/push",
                    new StringContent($$"""{"device_id":"d1","schema_version":"1","changes":[{{changes}}]}""", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        // A reader holding an old snapshot keeps every checkpoint from reaching the end of the log.
        await using (var reader = new SqliteConnection($"Data Source={file}"))
        {
            await reader.OpenAsync();
            using var begin = reader.CreateCommand();
            begin.CommandText = "BEGIN; SELECT count(*) FROM entities;";
            await begin.ExecuteScalarAsync();
            await PushAsync(150);
            Assert.True(new FileInfo(file + "-wal").Length > 3 * bound, "the reader did not hold the WAL back; the test proves nothing");
            using var end = reader.CreateCommand();
            end.CommandText = "COMMIT;";
            await end.ExecuteNonQueryAsync();
        }

        await PushAsync(130);
        var wal = long.MaxValue;
        for (var attempt = 0; attempt < 300 && wal > 2 * bound; attempt++)
        {
            await Task.Delay(100);
            wal = new FileInfo(file + "-wal").Length;
        }

        Assert.True(wal <= 2 * bound, $"the WAL is {wal} bytes beside a {new FileInfo(file).Length}-byte database");
    }
}
