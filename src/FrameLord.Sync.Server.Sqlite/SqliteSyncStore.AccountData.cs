namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    public async Task<IReadOnlyList<string>> ListDocumentIdsAsync(string userId, string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        // SQLite compares TEXT with BINARY collation: ordinal order of the UTF-8 bytes.
        command.CommandText = "SELECT note_id FROM documents WHERE user_id = $u AND note_id > $after ORDER BY note_id LIMIT $limit;";
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$after", after ?? "");
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public Task<int> PurgeExpiredRefreshTokensAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM refresh_tokens WHERE expires_at < $now;";
            command.Parameters.AddWithValue("$now", Ticks.From(now));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<bool> DeleteUserAsync(string userId, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            var deleted = 0;
            foreach (var table in SessionRows.UserTables)
            {
                using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = $"DELETE FROM {table} WHERE user_id = $u;";
                command.Parameters.AddWithValue("$u", userId);
                deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            }

            // The users table comes last: its count says whether there was such a user.
            return deleted > 0;
        }, cancellationToken);
}
