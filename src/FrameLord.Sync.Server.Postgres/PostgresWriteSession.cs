using Npgsql;
using NpgsqlTypes;

namespace FrameLord.Sync.Server.Storage.Postgres;

/// <summary>
/// One transaction holding the user's row lock. Loads and saves are set-based over arrays
/// (unnest), so a 100-change push costs a handful of round trips, not hundreds.
/// </summary>
internal sealed class PostgresWriteSession(
    NpgsqlConnection connection,
    NpgsqlTransaction transaction,
    UserRecord user,
    long currentSeq,
    StoreFaults faults,
    PostgresSyncStore.WriteSlot slot) : IWriteSession
{
    private bool _completed;

    public UserRecord User { get; } = user;

    public long CurrentSeq { get; } = currentSeq;

    public async Task<IReadOnlyDictionary<string, OutcomeRow>> LoadOutcomesAsync(
        string deviceId, IReadOnlyCollection<string> changeIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, OutcomeRow>(StringComparer.Ordinal);
        if (changeIds.Count == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand("""
            SELECT change_id, outcome_json, created_at FROM applied_changes
            WHERE user_id = $1 AND device_id = $2 AND change_id = ANY($3)
            """, connection, transaction);
        command.Parameters.AddWithValue(User.UserId);
        command.Parameters.AddWithValue(deviceId);
        command.Parameters.AddWithValue(changeIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var changeId = reader.GetString(0);
            found[changeId] = new OutcomeRow(deviceId, changeId, reader.GetString(1), Ticks.ToTime(reader.GetInt64(2)));
        }

        return found;
    }

    public async Task<IReadOnlyDictionary<EntityKey, EntityRow>> LoadEntitiesAsync(
        IReadOnlyCollection<EntityKey> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<EntityKey, EntityRow>(keys.Count);
        if (keys.Count == 0)
        {
            return found;
        }

        var types = new string[keys.Count];
        var ids = new string[keys.Count];
        var i = 0;
        foreach (var key in keys)
        {
            types[i] = key.EntityType;
            ids[i++] = key.EntityId;
        }

        await using var command = new NpgsqlCommand($"""
            SELECT {RowReaders.EntityColumns} FROM entities
            WHERE user_id = $1 AND (entity_type, entity_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
            """, connection, transaction);
        command.Parameters.AddWithValue(User.UserId);
        command.Parameters.AddWithValue(types);
        command.Parameters.AddWithValue(ids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = RowReaders.Entity(reader);
            found[row.Key] = row;
        }

        return found;
    }

    public async Task<ConflictRow?> LoadConflictAsync(string conflictId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {RowReaders.ConflictColumns} FROM conflicts WHERE user_id = $1 AND conflict_id = $2", connection, transaction);
        command.Parameters.AddWithValue(User.UserId);
        command.Parameters.AddWithValue(conflictId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.Conflict(reader) : null;
    }

    public async Task<IReadOnlyList<ConflictRow>> LoadConflictsRecordedWithAsync(ConflictRow conflict, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {RowReaders.ConflictColumns} FROM conflicts
            WHERE user_id = $1 AND created_at = $2 AND device_id = $3 AND entity_type = $4 AND entity_id = $5
            """, connection, transaction);
        command.Parameters.AddWithValue(User.UserId);
        command.Parameters.AddWithValue(Ticks.From(conflict.CreatedAt));
        command.Parameters.AddWithValue(conflict.DeviceId);
        command.Parameters.AddWithValue(conflict.EntityType);
        command.Parameters.AddWithValue(conflict.EntityId);
        var rows = new List<ConflictRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(RowReaders.Conflict(reader));
        }

        return rows;
    }

    public async Task SaveAsync(WriteSet writes, CancellationToken cancellationToken)
    {
        if (writes.Entities.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO entities (user_id, entity_type, entity_id, seq, sync_version, is_archived, created_at, updated_at,
                                      server_updated_at, modified_by_device, data_json, stamps_json)
                SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::boolean[], $7::bigint[],
                                         $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[])
                ON CONFLICT (user_id, entity_type, entity_id) DO UPDATE SET
                    seq = excluded.seq, sync_version = excluded.sync_version, is_archived = excluded.is_archived,
                    created_at = excluded.created_at, updated_at = excluded.updated_at,
                    server_updated_at = excluded.server_updated_at, modified_by_device = excluded.modified_by_device,
                    data_json = excluded.data_json, stamps_json = excluded.stamps_json
                """, connection, transaction);
            var rows = writes.Entities;
            upsert.Parameters.AddWithValue(User.UserId);
            upsert.Parameters.AddWithValue(rows.Select(r => r.EntityType).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.EntityId).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.Seq).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.SyncVersion).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.IsArchived).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => Ticks.From(r.CreatedAt)).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => Ticks.From(r.UpdatedAt)).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => Ticks.From(r.ServerUpdatedAt)).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.ModifiedByDevice).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.DataJson).ToArray());
            upsert.Parameters.AddWithValue(rows.Select(r => r.StampsJson).ToArray());
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await faults.HitAsync(StoreFaults.AfterEntityWrites);

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (writes.Outcomes.Count > 0)
        {
            var rows = writes.Outcomes;
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO applied_changes (user_id, device_id, change_id, outcome_json, created_at)
                SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])
                """)
            {
                Parameters =
                {
                    new() { Value = User.UserId },
                    new() { Value = rows.Select(r => r.DeviceId).ToArray() },
                    new() { Value = rows.Select(r => r.ChangeId).ToArray() },
                    new() { Value = rows.Select(r => r.OutcomeJson).ToArray() },
                    new() { Value = rows.Select(r => Ticks.From(r.CreatedAt)).ToArray() },
                },
            });
        }

        if (writes.NewConflicts.Count > 0)
        {
            var rows = writes.NewConflicts;
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO conflicts (user_id, conflict_id, device_id, change_id, entity_type, entity_id,
                                       needs_review, status, created_at, resolved_at, conflict_json)
                SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                         $7::boolean[], $8::text[], $9::bigint[], $10::bigint[], $11::text[])
                """)
            {
                Parameters =
                {
                    new() { Value = User.UserId },
                    new() { Value = rows.Select(r => r.ConflictId).ToArray() },
                    new() { Value = rows.Select(r => r.DeviceId).ToArray() },
                    new() { Value = rows.Select(r => r.ChangeId).ToArray() },
                    new() { Value = rows.Select(r => r.EntityType).ToArray() },
                    new() { Value = rows.Select(r => r.EntityId).ToArray() },
                    new() { Value = rows.Select(r => r.NeedsReview).ToArray() },
                    new() { Value = rows.Select(r => r.Status).ToArray() },
                    new() { Value = rows.Select(r => Ticks.From(r.CreatedAt)).ToArray() },
                    new() { Value = rows.Select(r => r.ResolvedAt is { } at ? Ticks.From(at) : (long?)null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                    new() { Value = rows.Select(r => r.ConflictJson).ToArray() },
                },
            });
        }

        foreach (var update in writes.ConflictUpdates)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE conflicts SET status = $3, resolved_at = $4 WHERE user_id = $1 AND conflict_id = $2")
            {
                Parameters =
                {
                    new() { Value = User.UserId },
                    new() { Value = update.ConflictId },
                    new() { Value = update.Status },
                    new() { Value = Ticks.From(update.ResolvedAt) },
                },
            });
        }

        if (writes.NewSeq != CurrentSeq)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE users SET change_seq = $2 WHERE user_id = $1")
            {
                Parameters = { new() { Value = User.UserId }, new() { Value = writes.NewSeq } },
            });
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await faults.HitAsync(StoreFaults.BeforeCommit);
        await transaction.CommitAsync(cancellationToken);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            try
            {
                await transaction.RollbackAsync();
            }
            catch (NpgsqlException)
            {
                // A broken connection discards the transaction on the server anyway.
            }
            catch (InvalidOperationException)
            {
                // The transaction already completed or the connection closed.
            }
        }

        try
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
        finally
        {
            slot.Dispose();
        }
    }
}
