using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Postgres;
using FrameLord.Sync.Server.Storage.Sqlite;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>Creates the configured <see cref="ISyncStore"/>.</summary>
public static class StoreFactory
{
    public static ISyncStore Create(StorageOptions options, TimeProvider time, StoreFaults? faults = null)
    {
        switch (options.Provider.ToLowerInvariant())
        {
            case "sqlite":
                return new SqliteSyncStore(
                    options.ConnectionString ?? StorageOptions.DefaultSqliteConnectionString, time, faults, SqliteSettings.From(options));
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is postgres.");
                }

                if (options.MaxConcurrentWrites < 0)
                {
                    throw new InvalidOperationException("Storage:MaxConcurrentWrites must be 0 (automatic) or more.");
                }

                return new PostgresSyncStore(options.ConnectionString, time, faults, options.MaxConcurrentWrites);
            default:
                throw new InvalidOperationException($"Storage:Provider must be sqlite or postgres, not '{options.Provider}'.");
        }
    }
}
