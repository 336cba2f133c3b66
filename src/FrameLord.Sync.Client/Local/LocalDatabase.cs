using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Client.Local;

/// <summary>
/// The device's SQLite file in WAL mode: readers never wait for the writer. Every write runs on one
/// connection behind an in-process gate (one writer at a time, no busy waiting inside SQLite), in one
/// transaction. Synchronous NORMAL survives a crash of the app's process; <c>FULL</c> also survives
/// a power loss at the price of an fsync per write.
/// </summary>
internal sealed partial class LocalDatabase : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Commits since the last checkpoint started, the sync loop's included (those reset it from outside the gate).</summary>
    private int _commitsSinceCheckpoint;

    /// <summary>The background checkpoint <see cref="Run"/> started last (awaited by dispose, read by tests).</summary>
    internal Task<CheckpointResult> BackgroundCheckpoint { get; private set; } = Task.FromResult(new CheckpointResult(0, 0));

    /// <summary>True on a thread while it runs a write's work (the work is synchronous, so the flag is exact).</summary>
    [ThreadStatic]
    private static bool t_writing;

    private LocalDatabase(string connectionString, SqliteConnection writer)
    {
        _connectionString = connectionString;
        Reader = new LocalReader(this);
        _writer = writer;
    }

    /// <summary>Test hook: called at named points inside write transactions; throwing there simulates a crash.</summary>
    internal Action<string>? FaultHook { get; set; }

    /// <summary>Outbox entries, kept in step with the table by every write.</summary>
    public int PendingCount { get; private set; }

    /// <summary>Notes whose document has updates made here that the server does not have yet (and did not refuse), kept in step by every write.</summary>
    public int UnsyncedDocuments { get; internal set; }

    /// <summary>The last outbox sequence number (and change id) ever committed or handed out.</summary>
    internal long LastSeq { get; set; }

    public static LocalDatabase Open(string path, bool durableAgainstPowerLoss)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        var writer = new SqliteConnection(connectionString);
        try
        {
            writer.Open();
            return Open(connectionString, writer, durableAgainstPowerLoss);
        }
        catch
        {
            // A refused database (a newer SDK's, say) keeps no pooled connection open behind the error.
            writer.Dispose();
            SqliteConnection.ClearPool(writer);
            throw;
        }
    }

    private static LocalDatabase Open(string connectionString, SqliteConnection writer, bool durableAgainstPowerLoss)
    {
        Execute(writer, "PRAGMA journal_mode = WAL;");
        // SQLite's automatic checkpoint runs inside whichever commit crosses its threshold, copies the log
        // into the database and syncs it: a pause of 100 to 250 ms for that one write. It is off. The log
        // is checkpointed from a connection of its own, outside the write gate, after each step of the
        // sync loop and every CommitsPerCheckpoint local writes (Checkpoint), so a write never pays for it.
        Execute(writer, $"PRAGMA synchronous = {(durableAgainstPowerLoss ? "FULL" : "NORMAL")}; PRAGMA busy_timeout = 30000; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0;");
        using (var tx = writer.BeginTransaction())
        {
            Prepare(writer, tx);
            tx.Commit();
        }

        var db = new LocalDatabase(connectionString, writer);
        using (var count = writer.CreateCommand())
        {
            count.CommandText = """
                SELECT COUNT(*), COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
                    (SELECT COUNT(*) FROM documents WHERE local_seq > acked_seq AND failed_code IS NULL) FROM outbox;
                """;
            using var reader = count.ExecuteReader();
            reader.Read();
            db.PendingCount = reader.GetInt32(0);
            db.LastSeq = reader.GetInt64(1);
            db.UnsyncedDocuments = reader.GetInt32(2);
        }

        return db;
    }

    /// <summary>
    /// Makes a new database at <see cref="LocalSchema.Version"/>, or brings an older one there with
    /// <see cref="LocalSchema.Migrations"/>. A database written by a newer SDK is refused, not guessed at.
    /// </summary>
    private static void Prepare(SqliteConnection writer, SqliteTransaction tx)
    {
        Execute(writer, "CREATE TABLE IF NOT EXISTS sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;", tx);
        using var read = writer.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT value FROM sync_meta WHERE key = $k;";
        read.Parameters.AddWithValue("$k", MetaKeys.SchemaVersion);
        var stored = read.ExecuteScalar() is string text ? int.Parse(text, CultureInfo.InvariantCulture) : LocalSchema.Version;
        if (stored > LocalSchema.Version)
        {
            throw new InvalidOperationException(
                $"This database has local schema version {stored}, written by a newer version of the SDK (this one knows {LocalSchema.Version}).");
        }

        foreach (var (to, sql) in LocalSchema.Migrations)
        {
            if (to > stored)
            {
                Execute(writer, sql, tx);
            }
        }

        Execute(writer, LocalSchema.Create, tx);
        using var write = writer.CreateCommand();
        write.Transaction = tx;
        write.CommandText = "INSERT INTO sync_meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = $v;";
        write.Parameters.AddWithValue("$k", MetaKeys.SchemaVersion);
        write.Parameters.AddWithValue("$v", LocalSchema.Version.ToString(CultureInfo.InvariantCulture));
        write.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction, after the writes queued before it.</summary>
    public async Task<T> WriteAsync<T>(Func<LocalWriter, T> work, CancellationToken cancellationToken)
    {
        // The work runs on the thread that released the gate, not back on the caller's context: a document
        // edit on an app's UI thread may be waiting for the gate synchronously (Write), and must not wait
        // for a write whose continuation is queued behind it on that same thread.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Run(work);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <see cref="WriteAsync"/> for callers that cannot await: a document's update event, which must be
    /// committed before the edit that raised it returns. Waits for the gate on the calling thread.
    /// </summary>
    public T Write<T>(Func<LocalWriter, T> work)
    {
        if (t_writing)
        {
            // The gate is not reentrant: waiting here would wait for this very thread.
            throw new InvalidOperationException("A note body cannot be edited inside the callback of an entity write; edit it after the write returns.");
        }

        _gate.Wait();
        try
        {
            return Run(work);
        }
        finally
        {
            _gate.Release();
        }
    }

    private T Run<T>(Func<LocalWriter, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = PendingCount;
        var lastSeq = LastSeq;
        var unsyncedDocuments = UnsyncedDocuments;
        using var tx = _writer.BeginTransaction();
        var writer = new LocalWriter(this, tx);
        t_writing = true;
        try
        {
            var result = work(writer);
            tx.Commit();
            if (Interlocked.Increment(ref _commitsSinceCheckpoint) >= CommitsPerCheckpoint && BackgroundCheckpoint.IsCompleted)
            {
                BackgroundCheckpoint = Task.Run(Checkpoint);
            }

            return result;
        }
        catch
        {
            PendingCount = pending;
            LastSeq = Math.Max(lastSeq, LastSeq);
            UnsyncedDocuments = unsyncedDocuments;
            throw;
        }
        finally
        {
            t_writing = false;
        }
    }

    /// <summary>Every read of the store (<see cref="LocalReader"/>).</summary>
    public LocalReader Reader { get; }

    /// <summary>Runs a read on a pooled connection of its own: it sees the last committed state and never waits for the writer.</summary>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return work(connection);
    }

    /// <summary>
    /// Moves the write-ahead log into the database file from a connection of its own, without the write
    /// gate: local writes go on meanwhile (a passive checkpoint never waits for them). A checkpoint that
    /// fails leaves the log for the next one: nothing depends on it, so it reports (-1, -1) and never throws.
    /// </summary>
    public CheckpointResult Checkpoint()
    {
        if (_disposed)
        {
            return new CheckpointResult(0, 0);
        }

        // With the sync loop running, its checkpoints after each step keep the log short and the writes start none.
        Volatile.Write(ref _commitsSinceCheckpoint, 0);
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            using var reader = command.ExecuteReader();
            reader.Read();
            return new CheckpointResult(reader.GetInt32(1), reader.GetInt32(2));
        }
        catch (SqliteException)
        {
            return new CheckpointResult(-1, -1);
        }
    }

    /// <summary>Local writes between two background checkpoints: bounds the log when no sync loop runs.</summary>
    internal const int CommitsPerCheckpoint = 4000;

    internal void AdjustPending(int delta) => PendingCount += delta;

    internal void Fault(string point) => FaultHook?.Invoke(point);

    /// <summary>A cached command on the writer connection (statements are prepared once and reused).</summary>
    internal SqliteCommand Command(string sql, SqliteTransaction tx)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _writer.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Transaction = tx;
        command.Parameters.Clear();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await BackgroundCheckpoint; // its connection is of this database's pool, cleared below

            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            _commands.Clear();
            await _writer.DisposeAsync();
            using var pooled = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>What a passive checkpoint reports: frames in the log, and how many of them are now in the database file.</summary>
internal readonly record struct CheckpointResult(int LogFrames, int Copied);
