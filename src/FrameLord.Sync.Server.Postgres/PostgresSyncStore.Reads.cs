using System.Data;
using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<ChangePage> ReadChangesAsync(
        string userId, long afterSeq, int limit, long maxBytes, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // REPEATABLE READ: the user's seqs and the page come from one snapshot.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, tx);
        var user = new NpgsqlBatchCommand("SELECT purged_seq, change_seq FROM users WHERE user_id = $1");
        user.Parameters.AddWithValue(userId);
        batch.BatchCommands.Add(user);
        // The byte budget is applied in the query too: rows past it would otherwise still be sent and
        // skipped when the reader closes (up to a whole page of large entities). It keeps every row that
        // starts within the budget, and always two, so the page builder sees the row that says "more".
        var select = new NpgsqlBatchCommand($"""
            SELECT {RowReaders.EntityColumns} FROM (
                SELECT {RowReaders.EntityColumns},
                       sum(octet_length(data_json)) OVER (ORDER BY seq) - octet_length(data_json) AS bytes_before,
                       row_number() OVER (ORDER BY seq) AS n
                FROM entities
                WHERE user_id = $1 AND seq > $2 {(since is null ? "" : "AND server_updated_at >= $5")}
                ORDER BY seq LIMIT $3) AS page
            WHERE bytes_before <= $4 OR n <= 2
            ORDER BY seq
            """);
        select.Parameters.AddWithValue(userId);
        select.Parameters.AddWithValue(afterSeq);
        select.Parameters.AddWithValue((long)limit + 1);
        select.Parameters.AddWithValue(maxBytes);
        if (since is { } s)
        {
            select.Parameters.AddWithValue(Ticks.From(s));
        }

        batch.BatchCommands.Add(select);

        long purgedSeq, changeSeq;
        var page = new PageBuilder(limit, maxBytes);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new UnknownUserException(userId);
            }

            purgedSeq = reader.GetInt64(0);
            changeSeq = reader.GetInt64(1);
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken) && page.Add(RowReaders.Entity(reader)))
            {
            }
        }

        await tx.CommitAsync(cancellationToken);
        return new ChangePage(page.Rows, page.HasMore, purgedSeq, changeSeq);
    }

    public async Task<IReadOnlyList<ConflictRow>> ListConflictsAsync(
        string userId, bool openOnly, int limit, long maxBytes, ConflictPosition? after, CancellationToken cancellationToken)
    {
        // conflict_id compares with COLLATE "C": byte order, the same order SQLite and the cursor use.
        // The byte budget is applied in the query: rows that start past it are never sent (two always
        // are, so the caller sees whether a page of one is followed by more).
        await using var command = _dataSource.CreateCommand($"""
            SELECT {RowReaders.ConflictColumns} FROM (
                SELECT {RowReaders.ConflictColumns},
                       sum(octet_length(conflict_json)) OVER (ORDER BY created_at, conflict_id COLLATE "C")
                           - octet_length(conflict_json) AS bytes_before,
                       row_number() OVER (ORDER BY created_at, conflict_id COLLATE "C") AS n
                FROM conflicts
                WHERE user_id = $1 {(openOnly ? "AND status = 'open'" : "")}
                  {(after is null ? "" : "AND (created_at > $4 OR (created_at = $4 AND conflict_id COLLATE \"C\" > $5))")}
                ORDER BY created_at, conflict_id COLLATE "C" LIMIT $2) AS page
            WHERE bytes_before <= $3 OR n <= 2
            ORDER BY created_at, conflict_id COLLATE "C"
            """);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue((long)limit);
        command.Parameters.AddWithValue(maxBytes);
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
