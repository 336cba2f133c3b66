using FrameLord.Sync.Server.Configuration;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary><c>Storage:Provider=sqlite</c> (the default): one database file; a generated signing key lives beside it.</summary>
public sealed class SqliteStoreBackend : ISyncStoreBackend
{
    public string Name => "sqlite";

    public bool Accepts(string provider) => provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase);

    public ISyncStore Create(StorageOptions options, TimeProvider time, StoreFaults? faults)
    {
        var settings = SqliteSettings.From(options);
        RaiseThreadPoolMinimum(settings.MinWorkerThreads);
        return new SqliteSyncStore(options.ConnectionString ?? StorageOptions.DefaultSqliteConnectionString, time, faults, settings);
    }

    /// <summary>
    /// The driver blocks a pool thread for each read and commit: keeps at least <paramref name="workers"/> worker
    /// threads ready (see <see cref="StorageOptions.SqliteMinWorkerThreads"/>), so a commit waiting on the disk
    /// does not hold up the process's other work while the pool grows. Never lowers the minimum.
    /// </summary>
    internal static void RaiseThreadPoolMinimum(int workers)
    {
        ThreadPool.GetMinThreads(out var current, out var io);
        if (workers > current)
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    /// <summary>One process owns the file, so the key needs no sharing: it is kept in a file.</summary>
    public string? GetOrCreateSigningKey(StorageOptions options) => null;

    public string? DefaultSigningKeyFile(StorageOptions options)
    {
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString ?? StorageOptions.DefaultSqliteConnectionString);
        return builder.DataSource is { Length: > 0 } file && file != ":memory:"
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".", "signing.key")
            : null;
    }
}
