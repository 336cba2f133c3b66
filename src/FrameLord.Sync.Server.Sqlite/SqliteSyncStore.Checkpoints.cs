using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>
/// WAL checkpoints. Automatic checkpoints are off (one inside a commit costs that request tens of ms);
/// a PASSIVE checkpoint runs on the thread pool every <see cref="CommitsPerCheckpoint"/> commits. A
/// passive checkpoint never waits, so under continuous writes it never catches up with the end of the
/// log and SQLite never restarts the log: it grew to gigabytes. So once the WAL file is over
/// <see cref="SqliteSettings.WalTruncateBytes"/>, the checkpoint takes the write gate (no writer of this
/// process runs), waits for readers through the busy timeout, and truncates the log (TRUNCATE). The
/// passive pass before it has already copied most pages, so the gate is held briefly.
/// </summary>
internal sealed partial class SqliteSyncStore
{
    /// <summary>Commits between background WAL checkpoints.</summary>
    private const int CommitsPerCheckpoint = 64;

    private int _commitsSinceCheckpoint;
    private int _checkpointRunning;

    /// <summary>
    /// Set when a truncation found readers that would not finish: until one succeeds, only the periodic
    /// checkpoints try again, so a long reader does not make every commit wait on the gate.
    /// </summary>
    private volatile bool _walHeldBack;

    /// <summary>Called after every write commit: a checkpoint every so many commits, or at once when the WAL is over its bound.</summary>
    internal void OnCommitted()
    {
        if ((Interlocked.Increment(ref _commitsSinceCheckpoint) >= CommitsPerCheckpoint || (!_walHeldBack && WalFileBytes > _settings.WalTruncateBytes))
            && Interlocked.CompareExchange(ref _checkpointRunning, 1, 0) == 0)
        {
            Interlocked.Exchange(ref _commitsSinceCheckpoint, 0);
            _ = Task.Run(BackgroundCheckpointAsync);
        }
    }

    /// <summary>The WAL file's size in bytes now (0 when there is none).</summary>
    internal long WalFileBytes => _walPath is not null && new FileInfo(_walPath) is { Exists: true } wal ? wal.Length : 0;

    private async Task BackgroundCheckpointAsync()
    {
        try
        {
            await CheckpointAsync("PASSIVE");
            if (WalFileBytes > _settings.WalTruncateBytes)
            {
                await _writeLock.WaitAsync();
                try
                {
                    // Readers still on the old log get a second to finish; if they do not, the next commit tries again.
                    _walHeldBack = !await CheckpointAsync("TRUNCATE", busyTimeoutMs: 1000);
                }
                finally
                {
                    _writeLock.Release();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _checkpointRunning, 0);
        }
    }

    /// <summary>Runs one checkpoint; true when it completed (SQLite reports no busy reader or writer).</summary>
    private async Task<bool> CheckpointAsync(string mode, int busyTimeoutMs = 30_000)
    {
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            using (var timeout = connection.CreateCommand())
            {
                // This pooled connection gets the usual timeout back from OpenAsync when it is next opened.
                timeout.CommandText = $"PRAGMA busy_timeout = {busyTimeoutMs};";
                await timeout.ExecuteNonQueryAsync(CancellationToken.None);
            }

            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA wal_checkpoint({mode});";
            await using var result = await command.ExecuteReaderAsync(CancellationToken.None);
            return await result.ReadAsync(CancellationToken.None) && result.GetInt64(0) == 0;
        }
        catch (SqliteException)
        {
            // A checkpoint that cannot run now runs after a later commit; the WAL stays valid meanwhile.
            return false;
        }
    }
}
