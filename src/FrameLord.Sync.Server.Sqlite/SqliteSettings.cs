using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>The SQLite store's durability and WAL settings (from <see cref="StorageOptions"/>).</summary>
/// <param name="Synchronous">
/// <c>FULL</c> (default: a commit is on disk before it is acknowledged, DESIGN 10), <c>EXTRA</c>,
/// <c>NORMAL</c> (survives a process crash; the last commits can be lost on power loss) or <c>OFF</c>.
/// </param>
/// <param name="WalTruncateBytes">
/// When the WAL file has grown past this, a checkpoint holds the write gate briefly and truncates it,
/// so continuous writes cannot grow it without bound.
/// </param>
/// <param name="MinWorkerThreads">The thread pool's minimum worker threads the store asks for (0: leave it).</param>
internal sealed record SqliteSettings(string Synchronous = "FULL", long WalTruncateBytes = SqliteSettings.DefaultWalTruncateBytes, int MinWorkerThreads = 0)
{
    public const long DefaultWalTruncateBytes = 64 * 1024 * 1024;

    public static SqliteSettings Default { get; } = new();

    public static SqliteSettings From(StorageOptions options)
    {
        var synchronous = (options.SqliteSynchronous ?? "FULL").Trim().ToUpperInvariant();
        if (synchronous is not ("OFF" or "NORMAL" or "FULL" or "EXTRA"))
        {
            throw new InvalidOperationException($"Storage:SqliteSynchronous must be full, extra, normal or off, not '{options.SqliteSynchronous}'.");
        }

        if (options.SqliteWalTruncateBytes <= 0)
        {
            throw new InvalidOperationException("Storage:SqliteWalTruncateBytes must be positive.");
        }

        var workers = options.SqliteMinWorkerThreads switch
        {
            0 => Math.Max(16, 4 * Environment.ProcessorCount),
            -1 => 0,
            > 0 and <= 32767 => options.SqliteMinWorkerThreads,
            _ => throw new InvalidOperationException("Storage:SqliteMinWorkerThreads must be 0 (automatic), -1 (the runtime's default) or a count up to 32767."),
        };
        return new SqliteSettings(synchronous, options.SqliteWalTruncateBytes, workers);
    }
}
