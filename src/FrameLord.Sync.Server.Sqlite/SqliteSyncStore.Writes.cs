using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    public async Task<IWriteSession> BeginWriteAsync(string userId, CancellationToken cancellationToken)
    {
        // SQLite has one writer at a time. Writers of this process queue here, in order, instead
        // of meeting SQLITE_BUSY and sleeping in the busy handler (which costs tens of ms each).
        await _writeLock.WaitAsync(cancellationToken);
        SqliteConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken);
            // BEGIN IMMEDIATE: take the database's write lock now, so two writers never deadlock
            // upgrading read locks, and the change sequence is assigned in commit order.
            var tx = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {RowReaders.UserColumns}, change_seq FROM users WHERE user_id = $u;";
            command.Parameters.AddWithValue("$u", userId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new UnknownUserException(userId);
            }

            var user = RowReaders.User(reader);
            var seq = reader.GetInt64(6);
            return new SqliteWriteSession(connection, tx, user, seq, _faults, _writeLock, OnCommitted);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _writeLock.Release();
            throw;
        }
    }
}
