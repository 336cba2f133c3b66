using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Postgres;
using FrameLord.Sync.Server.Storage.Sqlite;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>Creates the configured <see cref="ISyncStore"/> among the backends this server ships, outside the app (tests, tools).</summary>
public static class StoreFactory
{
    /// <summary>The backends this server ships: SQLite and PostgreSQL.</summary>
    public static IReadOnlyList<ISyncStoreBackend> Backends { get; } = [new SqliteStoreBackend(), new PostgresStoreBackend()];

    public static ISyncStore Create(StorageOptions options, TimeProvider time, StoreFaults? faults = null) =>
        StoreBackends.Select(Backends, options.Provider).Create(options, time, faults);
}
