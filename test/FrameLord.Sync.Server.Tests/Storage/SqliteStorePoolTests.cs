using FrameLord.Sync.Server.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>
/// A SQLite store shares its process with other stores and with client databases (the demo, the
/// simulation, an app that embeds both). Disposing one must leave every other database's connections
/// alone: clearing every pool in the process closes their idle connections, and races with a
/// connection being handed out (the pool can dispose it under its new user, as a client test once saw).
/// </summary>
public sealed class SqliteStorePoolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("framelord-pool-").FullName;

    [Fact]
    public async Task DisposingAStore_LeavesAnotherDatabasesPooledConnectionsOpen()
    {
        SQLitePCL.sqlite3 handle;
        using (var connection = new SqliteConnection(OtherDatabase))
        {
            connection.Open();
            handle = connection.Handle!;
        }

        // Back in its pool, idle, as a client database's connection is between two queries.
        Assert.False(handle.IsClosed);
        await using (new SqliteSyncStore($"Data Source={Path.Combine(_folder, "store.db")}", TimeProvider.System))
        {
        }

        Assert.False(handle.IsClosed, "disposing the store closed a connection of another database's pool");
        using var again = new SqliteConnection(OtherDatabase);
        again.Open();
        Assert.Same(handle, again.Handle);
    }

    private string OtherDatabase => new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "other.db"), Pooling = true }.ToString();

    public void Dispose()
    {
        using (var pooled = new SqliteConnection(OtherDatabase))
        {
            SqliteConnection.ClearPool(pooled);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }
    }
}
