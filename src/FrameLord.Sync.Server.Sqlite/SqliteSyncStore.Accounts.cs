using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    private const int SqliteConstraint = 19;

    public async Task<bool> TryCreateUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users (user_id, email, password_hash, display_name, contact_zero_id, created_at)
            VALUES ($id, $email, $hash, $name, $cz, $at);
            """;
        command.Parameters.AddWithValue("$id", user.UserId);
        command.Parameters.AddWithValue("$email", user.Email);
        command.Parameters.AddWithValue("$hash", user.PasswordHash);
        command.Parameters.AddWithValue("$name", user.DisplayName);
        command.Parameters.AddWithValue("$cz", user.ContactZeroId);
        command.Parameters.AddWithValue("$at", Ticks.From(user.CreatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
        {
            return false;
        }
    }

    public async Task<UserRecord?> FindUserByEmailAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RowReaders.UserColumns} FROM users WHERE email = $email;";
        command.Parameters.AddWithValue("$email", normalizedEmail);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.User(reader) : null;
    }
}
