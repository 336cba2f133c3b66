namespace FrameLord.Sync.Server.Configuration;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the default, embedded) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// The provider's connection string. Default for sqlite: <c>Data Source=data/framelord-sync.db</c>
    /// (relative to the working directory); required for postgres. A folder and database file the server
    /// creates get owner-only permissions (0700, 0600) on Unix; SQLite gives its -wal and -shm files the
    /// database file's permissions.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL: how many write transactions (pushes, resolutions, document appends and compactions)
    /// run at once; the rest wait their turn. Dozens of concurrent writers make the database thrash
    /// (lock waits, context switches) and finish later than a few at a time. 0 (the default) means
    /// max(8, 2 × processor count). The SQLite store always has one writer.
    /// </summary>
    public int MaxConcurrentWrites { get; set; }

    /// <summary>
    /// SQLite's <c>synchronous</c> setting: <c>full</c> (the default: an acknowledged write survives a
    /// power loss, DESIGN 10), <c>extra</c>, <c>normal</c> (survives a crash of the process, but the last
    /// commits can vanish on power loss after a client deleted them from its outbox) or <c>off</c>.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "full";

    /// <summary>
    /// SQLite: once the write-ahead log is larger than this many bytes, a checkpoint holds the write gate
    /// for a moment and truncates it (background checkpoints alone never get to restart it while writes
    /// keep coming). Default 64 MiB; the WAL stays within a few times this under continuous writes.
    /// </summary>
    public long SqliteWalTruncateBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// SQLite: the least worker threads the process's thread pool keeps. The SQLite driver's reads and commits
    /// block their thread for the I/O (a commit at <c>synchronous=full</c> waits on the disk), so with the
    /// runtime's default of one thread per core every request and live socket of the process waits behind a
    /// commit until the pool grows; measured on 2 cores, live fan-out p99 at 2,000 updates/s went from 12-13 ms
    /// to 7 ms. 0 (the default) means max(16, 4 × processor count); -1 leaves the runtime's default. The pool is
    /// only ever raised, never lowered.
    /// </summary>
    public int SqliteMinWorkerThreads { get; set; }

    public const string DefaultSqliteConnectionString = "Data Source=data/framelord-sync.db";
}
