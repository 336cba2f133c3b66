using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>One IMMEDIATE transaction; prepared statements are reused row by row (cheap in-process).</summary>
internal sealed class SqliteWriteSession(
    SqliteConnection connection,
    SqliteTransaction transaction,
    UserRecord user,
    long currentSeq,
    StoreFaults faults,
    SemaphoreSlim writeLock,
    Action onCommitted) : IWriteSession
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

        // One statement for the whole batch: the ids travel as a JSON array and drive an index probe each.
        using var command = Command("""
            SELECT a.change_id, a.outcome_json, a.created_at
            FROM json_each($ids) AS k CROSS JOIN applied_changes AS a
            WHERE a.user_id = $u AND a.device_id = $d AND a.change_id = k.value;
            """);
        command.Parameters.AddWithValue("$u", User.UserId);
        command.Parameters.AddWithValue("$d", deviceId);
        command.Parameters.AddWithValue("$ids", JsonArrays.Of(changeIds));
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

        using var command = Command($"""
            SELECT {Prefixed("e.", RowReaders.EntityColumns)}
            FROM json_each($keys) AS k CROSS JOIN entities AS e
            WHERE e.user_id = $u AND e.entity_type = json_extract(k.value, '$[0]') AND e.entity_id = json_extract(k.value, '$[1]');
            """);
        command.Parameters.AddWithValue("$u", User.UserId);
        command.Parameters.AddWithValue("$keys", JsonArrays.OfPairs(keys.Select(k => (k.EntityType, k.EntityId))));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = RowReaders.Entity(reader);
            found[row.Key] = row;
        }

        return found;
    }

    private static string Prefixed(string prefix, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => prefix + c));

    public async Task<ConflictRow?> LoadConflictAsync(string conflictId, CancellationToken cancellationToken)
    {
        using var command = Command($"SELECT {RowReaders.ConflictColumns} FROM conflicts WHERE user_id = $u AND conflict_id = $c;");
        command.Parameters.AddWithValue("$u", User.UserId);
        command.Parameters.AddWithValue("$c", conflictId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.Conflict(reader) : null;
    }

    public async Task<IReadOnlyList<ConflictRow>> LoadConflictsRecordedWithAsync(ConflictRow conflict, CancellationToken cancellationToken)
    {
        using var command = Command($"""
            SELECT {RowReaders.ConflictColumns} FROM conflicts
            WHERE user_id = $u AND created_at = $at AND device_id = $d AND entity_type = $t AND entity_id = $e;
            """);
        command.Parameters.AddWithValue("$u", User.UserId);
        command.Parameters.AddWithValue("$at", Ticks.From(conflict.CreatedAt));
        command.Parameters.AddWithValue("$d", conflict.DeviceId);
        command.Parameters.AddWithValue("$t", conflict.EntityType);
        command.Parameters.AddWithValue("$e", conflict.EntityId);
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
            await UpsertEntitiesAsync(writes.Entities, cancellationToken);
        }

        await faults.HitAsync(StoreFaults.AfterEntityWrites);

        if (writes.Outcomes.Count > 0)
        {
            await InsertOutcomesAsync(writes.Outcomes, cancellationToken);
        }

        foreach (var conflict in writes.NewConflicts)
        {
            using var insert = Command("""
                INSERT INTO conflicts (user_id, conflict_id, device_id, change_id, entity_type, entity_id,
                                       needs_review, status, created_at, resolved_at, conflict_json)
                VALUES ($u, $id, $d, $c, $t, $e, $nr, $s, $at, $rat, $json);
                """);
            insert.Parameters.AddWithValue("$u", User.UserId);
            insert.Parameters.AddWithValue("$id", conflict.ConflictId);
            insert.Parameters.AddWithValue("$d", conflict.DeviceId);
            insert.Parameters.AddWithValue("$c", conflict.ChangeId);
            insert.Parameters.AddWithValue("$t", conflict.EntityType);
            insert.Parameters.AddWithValue("$e", conflict.EntityId);
            insert.Parameters.AddWithValue("$nr", conflict.NeedsReview);
            insert.Parameters.AddWithValue("$s", conflict.Status);
            insert.Parameters.AddWithValue("$at", Ticks.From(conflict.CreatedAt));
            insert.Parameters.AddWithValue("$rat", conflict.ResolvedAt is { } r ? Ticks.From(r) : DBNull.Value);
            insert.Parameters.AddWithValue("$json", conflict.ConflictJson);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var update in writes.ConflictUpdates)
        {
            using var command = Command("UPDATE conflicts SET status = $s, resolved_at = $at WHERE user_id = $u AND conflict_id = $id;");
            command.Parameters.AddWithValue("$u", User.UserId);
            command.Parameters.AddWithValue("$id", update.ConflictId);
            command.Parameters.AddWithValue("$s", update.Status);
            command.Parameters.AddWithValue("$at", Ticks.From(update.ResolvedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (writes.NewSeq != CurrentSeq)
        {
            using var command = Command("UPDATE users SET change_seq = $s WHERE user_id = $u;");
            command.Parameters.AddWithValue("$u", User.UserId);
            command.Parameters.AddWithValue("$s", writes.NewSeq);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // A batch of rows travels as one JSON array and is inserted by one statement over json_each: SQLite
    // unpacks it in C, which costs a fraction of binding hundreds of parameters through ADO.NET.
    private async Task UpsertEntitiesAsync(List<EntityRow> rows, CancellationToken cancellationToken)
    {
        using var command = Command("""
            INSERT INTO entities (user_id, entity_type, entity_id, seq, sync_version, is_archived, created_at, updated_at,
                                  server_updated_at, modified_by_device, data_json, stamps_json)
            SELECT $u, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
                   value ->> 7, value ->> 8, value ->> 9, value ->> 10
            FROM json_each($rows) WHERE true
            ON CONFLICT (user_id, entity_type, entity_id) DO UPDATE SET
                seq = excluded.seq, sync_version = excluded.sync_version, is_archived = excluded.is_archived,
                created_at = excluded.created_at, updated_at = excluded.updated_at,
                server_updated_at = excluded.server_updated_at, modified_by_device = excluded.modified_by_device,
                data_json = excluded.data_json, stamps_json = excluded.stamps_json;
            """);
        command.Parameters.AddWithValue("$u", User.UserId);
        command.Parameters.AddWithValue("$rows", JsonArrays.OfRows(rows, static (w, row) =>
        {
            w.WriteStringValue(row.EntityType);
            w.WriteStringValue(row.EntityId);
            w.WriteNumberValue(row.Seq);
            w.WriteNumberValue(row.SyncVersion);
            w.WriteNumberValue(row.IsArchived ? 1 : 0);
            w.WriteNumberValue(Ticks.From(row.CreatedAt));
            w.WriteNumberValue(Ticks.From(row.UpdatedAt));
            w.WriteNumberValue(Ticks.From(row.ServerUpdatedAt));
            w.WriteStringValue(row.ModifiedByDevice);
            w.WriteStringValue(row.DataJson);
            w.WriteStringValue(row.StampsJson);
        }));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task InsertOutcomesAsync(List<OutcomeRow> rows, CancellationToken cancellationToken)
    {
        using var command = Command("""
            INSERT INTO applied_changes (user_id, device_id, change_id, outcome_json, created_at)
            SELECT $u, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($rows);
            """);
        command.Parameters.AddWithValue("$u", User.UserId);
        command.Parameters.AddWithValue("$rows", JsonArrays.OfRows(rows, static (w, row) =>
        {
            w.WriteStringValue(row.DeviceId);
            w.WriteStringValue(row.ChangeId);
            w.WriteStringValue(row.OutcomeJson);
            w.WriteNumberValue(Ticks.From(row.CreatedAt));
        }));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await faults.HitAsync(StoreFaults.BeforeCommit);
        await transaction.CommitAsync(cancellationToken);
        _completed = true;
        onCommitted();
    }

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            try
            {
                await transaction.RollbackAsync();
            }
            catch (SqliteException)
            {
                // The connection may already be broken; closing it discards the transaction anyway.
            }
        }

        await transaction.DisposeAsync();
        await connection.DisposeAsync();
        writeLock.Release();
    }
}
