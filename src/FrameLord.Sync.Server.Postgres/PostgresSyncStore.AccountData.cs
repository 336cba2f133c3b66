using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<IReadOnlyList<string>> ListDocumentIdsAsync(string userId, string? after, int limit, CancellationToken cancellationToken)
    {
        // COLLATE "C": byte order, the same on every database whatever its default collation.
        await using var command = _dataSource.CreateCommand("""
            SELECT note_id FROM documents WHERE user_id = $1 AND note_id COLLATE "C" > $2 ORDER BY note_id COLLATE "C" LIMIT $3
            """);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(after ?? "");
        command.Parameters.AddWithValue(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<int> PurgeExpiredRefreshTokensAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM refresh_tokens WHERE expires_at < $1");
        command.Parameters.AddWithValue(Ticks.From(now));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<bool> DeleteUserAsync(string userId, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            // The user's row first, locked: a write session of that user (which locks it too) finishes before, or
            // finds no user after and fails as for any unknown user.
            await using (var user = new NpgsqlCommand("SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE", connection, tx))
            {
                user.Parameters.AddWithValue(userId);
                if (await user.ExecuteScalarAsync(cancellationToken) is null)
                {
                    return false;
                }
            }

            await using var batch = new NpgsqlBatch(connection, tx);
            foreach (var table in SessionRows.UserTables)
            {
                batch.BatchCommands.Add(Command($"DELETE FROM {table} WHERE user_id = $1", userId));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);
}
