using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    public async Task<UserRecord?> FindUserByIdAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RowReaders.UserColumns} FROM users WHERE user_id = $u;";
        command.Parameters.AddWithValue("$u", userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.User(reader) : null;
    }

    public Task<bool> StartSessionAsync(DeviceSession session, RefreshTokenRecord token, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            if (!await UserExistsAsync(connection, tx, session.UserId, cancellationToken))
            {
                return false;
            }

            await ExecuteAsync(connection, tx, """
                DELETE FROM refresh_tokens WHERE user_id = $u AND device_id = $d;
                INSERT INTO devices (user_id, device_id, device_name, session_id, created_at, last_seen_at)
                VALUES ($u, $d, $name, $s, $at, $at)
                ON CONFLICT (user_id, device_id) DO UPDATE SET
                    device_name = excluded.device_name, session_id = excluded.session_id,
                    created_at = excluded.created_at, last_seen_at = excluded.last_seen_at;
                """, cancellationToken, ("$u", session.UserId), ("$d", session.DeviceId), ("$name", session.DeviceName),
                ("$s", session.SessionId), ("$at", Ticks.From(session.CreatedAt)));
            await InsertTokenAsync(connection, tx, token, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<RefreshOutcome> RotateRefreshTokenAsync(byte[] tokenHash, RefreshTokenRecord next, DateTimeOffset now, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            StoredRefreshToken token;
            using (var find = connection.CreateCommand())
            {
                find.Transaction = tx;
                find.CommandText = $"SELECT {SessionRows.TokenColumns} FROM refresh_tokens WHERE token_hash = $h;";
                find.Parameters.AddWithValue("$h", tokenHash);
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return new RefreshOutcome(RefreshVerdict.Unknown, null);
                }

                token = SessionRows.Token(reader);
            }

            var (userId, deviceId, sessionId, _, _) = token;
            var device = await ReadDeviceAsync(connection, tx, userId, deviceId, cancellationToken);
            if (SessionRows.IsRefused(token, device, now, out var verdict))
            {
                if (verdict.Verdict == RefreshVerdict.Reused)
                {
                    await DeleteDeviceAsync(connection, tx, userId, deviceId, cancellationToken);
                }

                return verdict;
            }

            await ExecuteAsync(connection, tx, """
                UPDATE refresh_tokens SET spent_at = $now WHERE token_hash = $h;
                UPDATE devices SET last_seen_at = $now WHERE user_id = $u AND device_id = $d;
                """, cancellationToken, ("$now", Ticks.From(now)), ("$h", tokenHash), ("$u", userId), ("$d", deviceId));
            await InsertTokenAsync(connection, tx, next with { UserId = userId, DeviceId = deviceId, SessionId = sessionId }, cancellationToken);
            return new RefreshOutcome(RefreshVerdict.Rotated, device with { LastSeenAt = now });
        }, cancellationToken);

    public async Task<bool> IsSessionActiveAsync(string userId, string? deviceId, string? sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        if (deviceId is null)
        {
            command.CommandText = "SELECT 1 FROM users WHERE user_id = $u;";
        }
        else
        {
            // Joined with users: a user row deleted by hand does not leave its devices signed in.
            command.CommandText = "SELECT 1 FROM devices d JOIN users u ON u.user_id = d.user_id WHERE d.user_id = $u AND d.device_id = $d AND d.session_id = $s;";
            command.Parameters.AddWithValue("$d", deviceId);
            command.Parameters.AddWithValue("$s", sessionId ?? "");
        }

        command.Parameters.AddWithValue("$u", userId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<IReadOnlyList<DeviceSession>> ListDevicesAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SessionRows.DeviceColumns} FROM devices WHERE user_id = $u ORDER BY created_at, device_id;";
        command.Parameters.AddWithValue("$u", userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new List<DeviceSession>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(SessionRows.Device(reader));
        }

        return devices;
    }

    public Task<bool> RevokeDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken) =>
        InWriteAsync((connection, tx) => DeleteDeviceAsync(connection, tx, userId, deviceId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<string>?> ChangePasswordAsync(string userId, string passwordHash, string? keepDeviceId, CancellationToken cancellationToken) =>
        InWriteAsync<IReadOnlyList<string>?>(async (connection, tx) =>
        {
            using (var update = connection.CreateCommand())
            {
                update.Transaction = tx;
                update.CommandText = "UPDATE users SET password_hash = $h WHERE user_id = $u;";
                update.Parameters.AddWithValue("$h", passwordHash);
                update.Parameters.AddWithValue("$u", userId);
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return null;
                }
            }

            var revoked = new List<string>();
            using (var others = connection.CreateCommand())
            {
                others.Transaction = tx;
                others.CommandText = "SELECT device_id FROM devices WHERE user_id = $u AND device_id IS NOT $keep;";
                others.Parameters.AddWithValue("$u", userId);
                others.Parameters.AddWithValue("$keep", (object?)keepDeviceId ?? DBNull.Value);
                await using var reader = await others.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    revoked.Add(reader.GetString(0));
                }
            }

            // Tokens of devices without a row (a session replaced meanwhile) go too: only the kept device's remain.
            await ExecuteAsync(connection, tx, """
                DELETE FROM refresh_tokens WHERE user_id = $u AND device_id IS NOT $keep;
                DELETE FROM devices WHERE user_id = $u AND device_id IS NOT $keep;
                """, cancellationToken, ("$u", userId), ("$keep", (object?)keepDeviceId ?? DBNull.Value));
            return revoked;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one write transaction (this process's writer queue, then BEGIN IMMEDIATE); commits when it returns.</summary>
    private async Task<T> InWriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var tx = connection.BeginTransaction(deferred: false);
            var result = await work(connection, tx);
            await tx.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static async Task<bool> UserExistsAsync(SqliteConnection connection, SqliteTransaction tx, string userId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT 1 FROM users WHERE user_id = $u;";
        command.Parameters.AddWithValue("$u", userId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task<DeviceSession?> ReadDeviceAsync(
        SqliteConnection connection, SqliteTransaction tx, string userId, string deviceId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"SELECT {SessionRows.DeviceColumns} FROM devices WHERE user_id = $u AND device_id = $d;";
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$d", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? SessionRows.Device(reader) : null;
    }

    private static async Task<bool> DeleteDeviceAsync(
        SqliteConnection connection, SqliteTransaction tx, string userId, string deviceId, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, tx, "DELETE FROM refresh_tokens WHERE user_id = $u AND device_id = $d;",
            cancellationToken, ("$u", userId), ("$d", deviceId));
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "DELETE FROM devices WHERE user_id = $u AND device_id = $d;";
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$d", deviceId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static Task InsertTokenAsync(SqliteConnection connection, SqliteTransaction tx, RefreshTokenRecord token, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, tx, """
            INSERT INTO refresh_tokens (token_hash, user_id, device_id, session_id, created_at, expires_at)
            VALUES ($h, $u, $d, $s, $at, $exp);
            """, cancellationToken, ("$h", token.TokenHash), ("$u", token.UserId), ("$d", token.DeviceId), ("$s", token.SessionId),
            ("$at", Ticks.From(token.CreatedAt)), ("$exp", Ticks.From(token.ExpiresAt)));

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
