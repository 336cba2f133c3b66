using System.Data;
using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

public sealed partial class PostgresSyncStore
{
    public async Task<ChangePage> ReadChangesAsync(string userId, long afterSeq, int limit, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // REPEATABLE READ: the purged seq and the page come from one snapshot.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, tx);
        var purged = new NpgsqlBatchCommand("SELECT purged_seq FROM users WHERE user_id = $1");
        purged.Parameters.AddWithValue(userId);
        batch.BatchCommands.Add(purged);
        var page = new NpgsqlBatchCommand($"""
            SELECT {RowReaders.EntityColumns} FROM entities
            WHERE user_id = $1 AND seq > $2 {(since is null ? "" : "AND server_updated_at >= $4")}
            ORDER BY seq LIMIT $3
            """);
        page.Parameters.AddWithValue(userId);
        page.Parameters.AddWithValue(afterSeq);
        page.Parameters.AddWithValue((long)limit + 1);
        if (since is { } s)
        {
            page.Parameters.AddWithValue(Ticks.From(s));
        }

        batch.BatchCommands.Add(page);

        long purgedSeq = 0;
        var rows = new List<EntityRow>(Math.Min(limit + 1, 1024));
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                purgedSeq = reader.GetInt64(0);
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(RowReaders.Entity(reader));
            }
        }

        await tx.CommitAsync(cancellationToken);
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return new ChangePage(rows, hasMore, purgedSeq);
    }

    public async Task<IReadOnlyList<ConflictRow>> ListConflictsAsync(
        string userId, bool openOnly, int limit, ConflictPosition? after, CancellationToken cancellationToken)
    {
        // conflict_id compares with COLLATE "C": byte order, the same order SQLite and the cursor use.
        await using var command = _dataSource.CreateCommand($"""
            SELECT {RowReaders.ConflictColumns} FROM conflicts
            WHERE user_id = $1 {(openOnly ? "AND status = 'open'" : "")}
              {(after is null ? "" : "AND (created_at > $3 OR (created_at = $3 AND conflict_id COLLATE \"C\" > $4))")}
            ORDER BY created_at, conflict_id COLLATE "C" LIMIT $2
            """);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue((long)limit);
        if (after is not null)
        {
            command.Parameters.AddWithValue(Ticks.From(after.CreatedAt));
            command.Parameters.AddWithValue(after.ConflictId);
        }

        var rows = new List<ConflictRow>(Math.Min(limit, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(RowReaders.Conflict(reader));
        }

        return rows;
    }

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset tombstonesBefore, DateTimeOffset outcomesBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Users first: their row locks make a concurrent push of the same user wait for this purge.
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    UPDATE users SET purged_seq = GREATEST(users.purged_seq, t.max_seq)
                    FROM (SELECT user_id, max(seq) AS max_seq FROM entities
                          WHERE is_archived AND server_updated_at < $1 GROUP BY user_id) AS t
                    WHERE users.user_id = t.user_id
                    """) { Parameters = { new() { Value = Ticks.From(tombstonesBefore) } } },
                new NpgsqlBatchCommand("DELETE FROM entities WHERE is_archived AND server_updated_at < $1")
                    { Parameters = { new() { Value = Ticks.From(tombstonesBefore) } } },
                new NpgsqlBatchCommand("DELETE FROM applied_changes WHERE created_at < $1")
                    { Parameters = { new() { Value = Ticks.From(outcomesBefore) } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        var tombstones = batch.BatchCommands[1].RecordsAffected;
        var outcomes = batch.BatchCommands[2].RecordsAffected;
        await tx.CommitAsync(cancellationToken);
        return new PurgeResult(tombstones, outcomes);
    }
}
