namespace FrameLord.Sync.Server.Configuration;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the default, embedded) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// The provider's connection string. Default for sqlite: <c>Data Source=data/framelord-sync.db</c>
    /// (relative to the working directory); required for postgres.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL: how many write transactions (pushes, resolutions, document appends and compactions)
    /// run at once; the rest wait their turn. Dozens of concurrent writers make the database thrash
    /// (lock waits, context switches) and finish later than a few at a time. 0 (the default) means
    /// max(8, 2 × processor count). The SQLite store always has one writer.
    /// </summary>
    public int MaxConcurrentWrites { get; set; }

    public const string DefaultSqliteConnectionString = "Data Source=data/framelord-sync.db";
}
