namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<bool> TryCreateUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO users (user_id, email, password_hash, display_name, contact_zero_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue(user.UserId);
        command.Parameters.AddWithValue(user.Email);
        command.Parameters.AddWithValue(user.PasswordHash);
        command.Parameters.AddWithValue(user.DisplayName);
        command.Parameters.AddWithValue(user.ContactZeroId);
        command.Parameters.AddWithValue(Ticks.From(user.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<UserRecord?> FindUserByEmailAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {RowReaders.UserColumns} FROM users WHERE email = $1");
        command.Parameters.AddWithValue(normalizedEmail);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.User(reader) : null;
    }
}
