using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

/// <summary>
/// The production store on PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>. A write
/// session locks the user's row (SELECT … FOR UPDATE), which serializes that user's writers and
/// so assigns the change sequence in commit order; different users write in parallel. Reads and
/// writes go out as set-based statements over arrays, one round trip per step. At most
/// <see cref="MaxConcurrentWrites"/> write transactions run at once; the others wait for a slot
/// before taking a connection.
/// </summary>
internal sealed partial class PostgresSyncStore : ISyncStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreFaults _faults;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeSlots;

    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="time">The clock.</param>
    /// <param name="faults">Injected failures (tests).</param>
    /// <param name="maxConcurrentWrites">Write transactions at once; 0: max(8, 2 × processor count).</param>
    public PostgresSyncStore(string connectionString, TimeProvider time, StoreFaults? faults = null, int maxConcurrentWrites = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConcurrentWrites);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        _dataSource = builder.Build();
        _time = time;
        _faults = faults ?? new StoreFaults();
        MaxConcurrentWrites = maxConcurrentWrites > 0 ? maxConcurrentWrites : Math.Max(8, 2 * Environment.ProcessorCount);
        _writeSlots = new SemaphoreSlim(MaxConcurrentWrites, MaxConcurrentWrites);
    }

    /// <summary>How many write transactions run at once.</summary>
    public int MaxConcurrentWrites { get; }

    /// <summary>Waits for a write slot; disposing the result gives it back (once).</summary>
    private async Task<WriteSlot> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writeSlots.WaitAsync(cancellationToken);
        return new WriteSlot(_writeSlots);
    }

    /// <summary>One held write slot.</summary>
    internal sealed class WriteSlot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    public string ProviderName => "postgres";

    internal NpgsqlDataSource DataSource => _dataSource;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx))
        {
            command.Parameters.AddWithValue(PostgresSchema.MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS schema_info (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL, migrated_at bigint NOT NULL)",
            connection, tx))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var version = await ReadSchemaVersionAsync(connection, tx, cancellationToken);
        if (version > PostgresSchema.Migrations.Length)
        {
            throw new StoreException(
                $"The database has schema version {version}, newer than this server's {PostgresSchema.Migrations.Length}.", isTransient: false);
        }

        for (var i = version; i < PostgresSchema.Migrations.Length; i++)
        {
            await using var migrate = new NpgsqlCommand(PostgresSchema.Migrations[i], connection, tx);
            await migrate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var record = new NpgsqlCommand(
            """
            INSERT INTO schema_info (id, version, migrated_at) VALUES (1, $1, $2)
            ON CONFLICT (id) DO UPDATE SET version = $1, migrated_at = $2 WHERE schema_info.version <> $1;
            """, connection, tx))
        {
            record.Parameters.AddWithValue(PostgresSchema.Migrations.Length);
            record.Parameters.AddWithValue(Ticks.From(_time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public int LatestSchemaVersion => PostgresSchema.Migrations.Length;

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadSchemaVersionAsync(connection, null, cancellationToken);
    }

    private static async Task<int> ReadSchemaVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_info WHERE id = 1", connection, tx);
        return await command.ExecuteScalarAsync(cancellationToken) is int v ? v : 0;
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1");
            return Equals(await command.ExecuteScalarAsync(cancellationToken), 1);
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
