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

    public const string DefaultSqliteConnectionString = "Data Source=data/framelord-sync.db";
}
