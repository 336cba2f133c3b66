namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    public async Task<ChangePage> ReadChangesAsync(
        string userId, long afterSeq, int limit, long maxBytes, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One read transaction: the user's seqs and the page come from the same snapshot.
        await using var tx = connection.BeginTransaction(deferred: true);

        long purgedSeq, changeSeq;
        using (var user = connection.CreateCommand())
        {
            user.CommandText = "SELECT purged_seq, change_seq FROM users WHERE user_id = $u;";
            user.Parameters.AddWithValue("$u", userId);
            await using var found = await user.ExecuteReaderAsync(cancellationToken);
            if (!await found.ReadAsync(cancellationToken))
            {
                throw new UnknownUserException(userId);
            }

            purgedSeq = found.GetInt64(0);
            changeSeq = found.GetInt64(1);
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {RowReaders.EntityColumns} FROM entities
            WHERE user_id = $u AND seq > $after {(since is null ? "" : "AND server_updated_at >= $since")}
            ORDER BY seq LIMIT $n;
            """;
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$n", limit + 1);
        if (since is { } s)
        {
            command.Parameters.AddWithValue("$since", Ticks.From(s));
        }

        var page = new PageBuilder(limit, maxBytes);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken) && page.Add(RowReaders.Entity(reader)))
            {
            }
        }

        return new ChangePage(page.Rows, page.HasMore, purgedSeq, changeSeq);
    }

    public async Task<IReadOnlyList<ConflictRow>> ListConflictsAsync(
        string userId, bool openOnly, int limit, long maxBytes, ConflictPosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {RowReaders.ConflictColumns} FROM conflicts
            WHERE user_id = $u {(openOnly ? "AND status = 'open'" : "")}
              {(after is null ? "" : "AND (created_at > $at OR (created_at = $at AND conflict_id > $id))")}
            ORDER BY created_at, conflict_id LIMIT $n;
            """;
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$n", limit);
        if (after is not null)
        {
            command.Parameters.AddWithValue("$at", Ticks.From(after.CreatedAt));
            command.Parameters.AddWithValue("$id", after.ConflictId);
        }

        var rows = new List<ConflictRow>(Math.Min(limit, 1024));
        long bytes = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // Every row that starts within the budget, and always two, so the caller sees whether more follow.
        while ((rows.Count < 2 || bytes <= maxBytes) && await reader.ReadAsync(cancellationToken))
        {
            var row = RowReaders.Conflict(reader);
            bytes += System.Text.Encoding.UTF8.GetByteCount(row.ConflictJson);
            rows.Add(row);
        }

        return rows;
    }

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset tombstonesBefore, DateTimeOffset outcomesBefore, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return await PurgeLockedAsync(tombstonesBefore, outcomesBefore, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<PurgeResult> PurgeLockedAsync(DateTimeOffset tombstonesBefore, DateTimeOffset outcomesBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE users SET purged_seq = max(purged_seq, t.max_seq)
            FROM (SELECT user_id, max(seq) AS max_seq FROM entities
                  WHERE is_archived = 1 AND server_updated_at < $before GROUP BY user_id) AS t
            WHERE users.user_id = t.user_id;
            DELETE FROM entities WHERE is_archived = 1 AND server_updated_at < $before;
            SELECT changes();
            DELETE FROM applied_changes WHERE created_at < $outcomes;
            SELECT changes();
            """;
        command.Parameters.AddWithValue("$before", Ticks.From(tombstonesBefore));
        command.Parameters.AddWithValue("$outcomes", Ticks.From(outcomesBefore));
        var counts = new List<long>(2);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    counts.Add(reader.GetInt64(0));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        await tx.CommitAsync(cancellationToken);
        return new PurgeResult((int)counts[0], (int)counts[1]);
    }
}
