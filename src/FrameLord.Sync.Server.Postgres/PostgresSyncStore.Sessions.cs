using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<UserRecord?> FindUserByIdAsync(string userId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {RowReaders.UserColumns} FROM users WHERE user_id = $1");
        command.Parameters.AddWithValue(userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.User(reader) : null;
    }

    public Task<bool> StartSessionAsync(DeviceSession session, RefreshTokenRecord token, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            // Locks the user's row: an account deletion waits for this session or this waits for it, never half of each.
            await using (var user = new NpgsqlCommand("SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE", connection, tx))
            {
                user.Parameters.AddWithValue(session.UserId);
                if (await user.ExecuteScalarAsync(cancellationToken) is null)
                {
                    return false;
                }
            }

            await using var batch = new NpgsqlBatch(connection, tx)
            {
                BatchCommands =
                {
                    Command("DELETE FROM refresh_tokens WHERE user_id = $1 AND device_id = $2", session.UserId, session.DeviceId),
                    Command("""
                        INSERT INTO devices (user_id, device_id, device_name, session_id, created_at, last_seen_at)
                        VALUES ($1, $2, $3, $4, $5, $5)
                        ON CONFLICT (user_id, device_id) DO UPDATE SET
                            device_name = excluded.device_name, session_id = excluded.session_id,
                            created_at = excluded.created_at, last_seen_at = excluded.last_seen_at
                        """, session.UserId, session.DeviceId, session.DeviceName, session.SessionId, Ticks.From(session.CreatedAt)),
                    InsertToken(token),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task<RefreshOutcome> RotateRefreshTokenAsync(byte[] tokenHash, RefreshTokenRecord next, DateTimeOffset now, CancellationToken cancellationToken) =>
        InWriteAsync(async (connection, tx) =>
        {
            StoredRefreshToken token;
            // FOR UPDATE: of two presentations of one token, the second reads it spent once the first commits.
            await using (var find = new NpgsqlCommand(
                $"SELECT {SessionRows.TokenColumns} FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
                connection, tx))
            {
                find.Parameters.AddWithValue(tokenHash);
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

            await using var batch = new NpgsqlBatch(connection, tx)
            {
                BatchCommands =
                {
                    Command("UPDATE refresh_tokens SET spent_at = $1 WHERE token_hash = $2", Ticks.From(now), tokenHash),
                    Command("UPDATE devices SET last_seen_at = $1 WHERE user_id = $2 AND device_id = $3", Ticks.From(now), userId, deviceId),
                    InsertToken(next with { UserId = userId, DeviceId = deviceId, SessionId = sessionId }),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return new RefreshOutcome(RefreshVerdict.Rotated, device with { LastSeenAt = now });
        }, cancellationToken);

    public async Task<bool> IsSessionActiveAsync(string userId, string? deviceId, string? sessionId, CancellationToken cancellationToken)
    {
        await using var command = deviceId is null
            ? _dataSource.CreateCommand("SELECT 1 FROM users WHERE user_id = $1")
            : _dataSource.CreateCommand(
                "SELECT 1 FROM devices d JOIN users u ON u.user_id = d.user_id WHERE d.user_id = $1 AND d.device_id = $2 AND d.session_id = $3");
        command.Parameters.AddWithValue(userId);
        if (deviceId is not null)
        {
            command.Parameters.AddWithValue(deviceId);
            command.Parameters.AddWithValue(sessionId ?? "");
        }

        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<IReadOnlyList<DeviceSession>> ListDevicesAsync(string userId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {SessionRows.DeviceColumns} FROM devices WHERE user_id = $1 ORDER BY created_at, device_id COLLATE \"C\"");
        command.Parameters.AddWithValue(userId);
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
            await using (var update = new NpgsqlCommand("UPDATE users SET password_hash = $1 WHERE user_id = $2", connection, tx))
            {
                update.Parameters.AddWithValue(passwordHash);
                update.Parameters.AddWithValue(userId);
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return null;
                }
            }

            var keep = keepDeviceId ?? "";
            var revoked = new List<string>();
            // Tokens of devices without a row (a session replaced meanwhile) go too: only the kept device's remain.
            await using (var devices = new NpgsqlCommand(
                "DELETE FROM devices WHERE user_id = $1 AND device_id <> $2 RETURNING device_id", connection, tx))
            {
                devices.Parameters.AddWithValue(userId);
                devices.Parameters.AddWithValue(keep);
                await using var reader = await devices.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    revoked.Add(reader.GetString(0));
                }
            }

            await using var tokens = new NpgsqlCommand("DELETE FROM refresh_tokens WHERE user_id = $1 AND device_id <> $2", connection, tx);
            tokens.Parameters.AddWithValue(userId);
            tokens.Parameters.AddWithValue(keep);
            await tokens.ExecuteNonQueryAsync(cancellationToken);
            return revoked;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction holding a write slot; commits when it returns.</summary>
    private async Task<T> InWriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        using var slot = await EnterWriteAsync(cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    private static async Task<DeviceSession?> ReadDeviceAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string userId, string deviceId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {SessionRows.DeviceColumns} FROM devices WHERE user_id = $1 AND device_id = $2", connection, tx);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? SessionRows.Device(reader) : null;
    }

    private static async Task<bool> DeleteDeviceAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string userId, string deviceId, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                Command("DELETE FROM refresh_tokens WHERE user_id = $1 AND device_id = $2", userId, deviceId),
                Command("DELETE FROM devices WHERE user_id = $1 AND device_id = $2", userId, deviceId),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return batch.BatchCommands[1].RecordsAffected > 0;
    }

    private static NpgsqlBatchCommand InsertToken(RefreshTokenRecord token) => Command("""
        INSERT INTO refresh_tokens (token_hash, user_id, device_id, session_id, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        """, token.TokenHash, token.UserId, token.DeviceId, token.SessionId, Ticks.From(token.CreatedAt), Ticks.From(token.ExpiresAt));

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
