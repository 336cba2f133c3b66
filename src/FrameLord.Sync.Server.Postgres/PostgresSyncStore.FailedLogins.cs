using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<FailedLoginWindow> RecordFailedLoginAsync(string emailKey, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM failed_logins WHERE window_start <= $2 - $3 AND email_key <> $1")
        {
            Parameters = { new() { Value = emailKey }, new() { Value = Ticks.From(now) }, new() { Value = window.Ticks } },
        });
        // ON CONFLICT takes the row lock, so concurrent failures of one email from several processes all count.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO failed_logins (email_key, window_start, failures) VALUES ($1, $2, 1)
            ON CONFLICT (email_key) DO UPDATE SET
                failures = CASE WHEN $2 - failed_logins.window_start >= $3 THEN 1 ELSE failed_logins.failures + 1 END,
                window_start = CASE WHEN $2 - failed_logins.window_start >= $3 THEN $2 ELSE failed_logins.window_start END
            RETURNING window_start, failures
            """)
        {
            Parameters = { new() { Value = emailKey }, new() { Value = Ticks.From(now) }, new() { Value = window.Ticks } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await SkipToRowsAsync(reader, cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new FailedLoginWindow(Ticks.ToTime(reader.GetInt64(0)), reader.GetInt32(1));
    }

    public async Task<FailedLoginWindow?> ReadFailedLoginsAsync(string emailKey, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT window_start, failures FROM failed_logins WHERE email_key = $1");
        command.Parameters.AddWithValue(emailKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new FailedLoginWindow(Ticks.ToTime(reader.GetInt64(0)), reader.GetInt32(1)) : null;
    }
}
