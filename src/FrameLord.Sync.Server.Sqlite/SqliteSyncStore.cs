using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (readers never block the writer), synchronous
/// FULL by default (an acknowledged commit survives a power loss; <c>Storage:SqliteSynchronous</c>),
/// one writer at a time through BEGIN IMMEDIATE, which also serializes each user's change sequence.
/// </summary>
internal sealed partial class SqliteSyncStore : ISyncStore
{
    private readonly string _connectionString;
    private readonly StoreFaults _faults;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteSettings _settings;
    private readonly string? _walPath;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string; its folder is created if missing.</param>
    /// <param name="time">The clock for recorded times.</param>
    /// <param name="faults">Test hooks; null in production.</param>
    /// <param name="settings">Durability and WAL settings; default <see cref="SqliteSettings.Default"/> (synchronous FULL).</param>
    public SqliteSyncStore(string connectionString, TimeProvider time, StoreFaults? faults = null, SqliteSettings? settings = null)
    {
        _settings = settings ?? SqliteSettings.Default;
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };
        if (builder.DataSource is { Length: > 0 } path && path != ":memory:" && !path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            OwnerOnlyFiles.CreateDatabaseFile(Path.GetFullPath(path));
            _walPath = Path.GetFullPath(path) + "-wal";
        }

        _connectionString = builder.ToString();
        _time = time;
        _faults = faults ?? new StoreFaults();
    }

    public string ProviderName => "sqlite";

    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            using var pragma = connection.CreateCommand();
            // Per connection: synchronous as configured (FULL: the WAL is synced at every commit); the busy
            // timeout makes a writer wait for another instead of failing at once; checkpoints run in the
            // background (SqliteSyncStore.Checkpoints) instead of inside whichever commit crosses the threshold.
            pragma.CommandText = $"PRAGMA synchronous = {_settings.Synchronous}; PRAGMA busy_timeout = 30000; PRAGMA wal_autocheckpoint = 0;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using (var create = connection.CreateCommand())
        {
            create.CommandText =
                "CREATE TABLE IF NOT EXISTS schema_info (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, migrated_at INTEGER NOT NULL);";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var version = await ReadSchemaVersionAsync(connection, cancellationToken);
        if (version > SqliteSchema.Migrations.Length)
        {
            throw new StoreException(
                $"The database has schema version {version}, newer than this server's {SqliteSchema.Migrations.Length}.", isTransient: false);
        }

        for (var i = version; i < SqliteSchema.Migrations.Length; i++)
        {
            using var migrate = connection.CreateCommand();
            migrate.CommandText = SqliteSchema.Migrations[i];
            await migrate.ExecuteNonQueryAsync(cancellationToken);
        }

        using (var record = connection.CreateCommand())
        {
            record.CommandText =
                "INSERT INTO schema_info (id, version, migrated_at) VALUES (1, $v, $t) ON CONFLICT (id) DO UPDATE SET version = $v, migrated_at = $t WHERE version <> $v;";
            record.Parameters.AddWithValue("$v", SqliteSchema.Migrations.Length);
            record.Parameters.AddWithValue("$t", Ticks.From(_time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public int LatestSchemaVersion => SqliteSchema.Migrations.Length;

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadSchemaVersionAsync(connection, cancellationToken);
    }

    private static async Task<int> ReadSchemaVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_info WHERE id = 1;";
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1;";
            return Equals(await command.ExecuteScalarAsync(cancellationToken), 1L);
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (Volatile.Read(ref _checkpointRunning) == 1)
        {
            await Task.Yield();
        }

        await _writeLock.WaitAsync();
        try
        {
            await CloseAppendConnectionAsync();
        }
        finally
        {
            _writeLock.Release();
        }

        await CheckpointAsync("TRUNCATE");

        // This store's pool only: clearing every pool in the process races with other stores and
        // clients opening connections (the pool can dispose a connection it is handing out).
        using var pooled = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(pooled);
    }
}
