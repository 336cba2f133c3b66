using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Server.Storage.Postgres;

/// <summary>
/// <c>Storage:Provider=postgres</c> (or <c>postgresql</c>): several server processes may share the database,
/// so a generated signing key is kept in it.
/// </summary>
public sealed class PostgresStoreBackend : ISyncStoreBackend
{
    public string Name => "postgres";

    public bool Accepts(string provider) =>
        provider.Equals("postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("postgresql", StringComparison.OrdinalIgnoreCase);

    public ISyncStore Create(StorageOptions options, TimeProvider time, StoreFaults? faults)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is postgres.");
        }

        if (options.MaxConcurrentWrites < 0)
        {
            throw new InvalidOperationException("Storage:MaxConcurrentWrites must be 0 (automatic) or more.");
        }

        return new PostgresSyncStore(options.ConnectionString, time, faults, options.MaxConcurrentWrites);
    }

    public string? GetOrCreateSigningKey(StorageOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString) ? null : DatabaseSigningKey.GetOrCreate(options.ConnectionString);

    public string? DefaultSigningKeyFile(StorageOptions options) => null;
}
