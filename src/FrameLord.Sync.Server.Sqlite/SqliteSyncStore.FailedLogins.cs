namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    public async Task<FailedLoginWindow> RecordFailedLoginAsync(string emailKey, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        // SET sees the row as it was, so both columns test the same old window_start.
        command.CommandText = """
            DELETE FROM failed_logins WHERE window_start <= $now - $window AND email_key <> $k;
            INSERT INTO failed_logins (email_key, window_start, failures) VALUES ($k, $now, 1)
            ON CONFLICT (email_key) DO UPDATE SET
                failures = CASE WHEN $now - failed_logins.window_start >= $window THEN 1 ELSE failed_logins.failures + 1 END,
                window_start = CASE WHEN $now - failed_logins.window_start >= $window THEN $now ELSE failed_logins.window_start END
            RETURNING window_start, failures;
            """;
        command.Parameters.AddWithValue("$k", emailKey);
        command.Parameters.AddWithValue("$now", Ticks.From(now));
        command.Parameters.AddWithValue("$window", window.Ticks);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new FailedLoginWindow(Ticks.ToTime(reader.GetInt64(0)), reader.GetInt32(1));
    }

    public async Task<FailedLoginWindow?> ReadFailedLoginsAsync(string emailKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT window_start, failures FROM failed_logins WHERE email_key = $k;";
        command.Parameters.AddWithValue("$k", emailKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new FailedLoginWindow(Ticks.ToTime(reader.GetInt64(0)), reader.GetInt32(1)) : null;
    }
}
