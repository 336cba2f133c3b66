using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<IWriteSession> BeginWriteAsync(string userId, CancellationToken cancellationToken)
    {
        var slot = await EnterWriteAsync(cancellationToken);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                $"SELECT {RowReaders.UserColumns}, change_seq FROM users WHERE user_id = $1 FOR UPDATE", connection, tx);
            command.Parameters.AddWithValue(userId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new UnknownUserException(userId);
            }

            var user = RowReaders.User(reader);
            var seq = reader.GetInt64(6);
            return new PostgresWriteSession(connection, tx, user, seq, _faults, slot);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            slot.Dispose();
            throw;
        }
    }
}
