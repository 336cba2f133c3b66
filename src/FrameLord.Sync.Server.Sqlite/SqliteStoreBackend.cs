using FrameLord.Sync.Server.Configuration;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary><c>Storage:Provider=sqlite</c> (the default): one database file; a generated signing key lives beside it.</summary>
public sealed class SqliteStoreBackend : ISyncStoreBackend
{
    public string Name => "sqlite";

    public bool Accepts(string provider) => provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase);

    public ISyncStore Create(StorageOptions options, TimeProvider time, StoreFaults? faults) =>
        new SqliteSyncStore(options.ConnectionString ?? StorageOptions.DefaultSqliteConnectionString, time, faults, SqliteSettings.From(options));

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
