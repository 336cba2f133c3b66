using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    public async Task<DocumentHead?> ReadDocumentHeadAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadHeadAsync(connection, null, userId, noteId, cancellationToken);
    }

    private static async Task<DocumentHead?> ReadHeadAsync(
        SqliteConnection connection, SqliteTransaction? tx, string userId, string noteId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"SELECT {RowReaders.DocumentHeadColumns} FROM documents WHERE user_id = $u AND note_id = $n;";
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$n", noteId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.DocumentHead(reader) : null;
    }

    public async Task<DocumentView?> ReadDocumentAsync(string userId, string noteId, bool includeSnapshot, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = connection.BeginTransaction(deferred: true);
        var head = await ReadHeadAsync(connection, tx, userId, noteId, cancellationToken);
        if (head is null)
        {
            return null;
        }

        return await ReadViewAsync(connection, tx, userId, noteId, head, includeSnapshot, cancellationToken);
    }

    /// <summary>
    /// The log after the head's snapshot and, when asked, the snapshot, inside <paramref name="tx"/>. An
    /// <paramref name="appended"/> update (just written in <paramref name="tx"/>, the last of the log) is
    /// taken as given instead of read back.
    /// </summary>
    private static async Task<DocumentView> ReadViewAsync(SqliteConnection connection, SqliteTransaction tx, string userId, string noteId,
        DocumentHead head, bool includeSnapshot, CancellationToken cancellationToken, DocumentUpdateRow? appended = null)
    {
        var log = new List<DocumentUpdateRow>(head.LogCount);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = "SELECT seq, update_bytes FROM document_updates WHERE user_id = $u AND note_id = $n AND seq > $s AND seq < $before ORDER BY seq;";
            command.Parameters.AddWithValue("$u", userId);
            command.Parameters.AddWithValue("$n", noteId);
            command.Parameters.AddWithValue("$s", head.SnapshotSeq);
            command.Parameters.AddWithValue("$before", appended?.Seq ?? long.MaxValue);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                log.Add(new DocumentUpdateRow(reader.GetInt64(0), (byte[])reader.GetValue(1)));
            }
        }

        if (appended is not null)
        {
            log.Add(appended);
        }

        byte[]? snapshot = null;
        if (includeSnapshot)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "SELECT snapshot FROM document_snapshots WHERE user_id = $u AND note_id = $n;";
            command.Parameters.AddWithValue("$u", userId);
            command.Parameters.AddWithValue("$n", noteId);
            snapshot = await command.ExecuteScalarAsync(cancellationToken) as byte[] ?? RowReaders.EmptyUpdate;
        }

        return new DocumentView(head, snapshot, log);
    }

    // In process the locking read costs next to nothing, so the head the caller saw is not used. What the
    // append wrote (the update, the state vector and delete set, up to tens of MB for a hostile update) is
    // not read back: only the head's small columns are.
    public async Task<DocumentView> AppendDocumentUpdateAsync(string userId, string noteId, byte[] update, DocumentHead? seen,
        Func<DocumentState, DocumentState> advance, bool includeSnapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var tx = connection.BeginTransaction(deferred: false);
            await using var statements = new SqliteStatements(connection);
            var (appended, seq) = await AppendAsync(statements, tx, userId, noteId, [update], advance, now, cancellationToken);
            var view = await ReadViewAsync(connection, tx, userId, noteId, appended.Head, includeSnapshot, cancellationToken, new DocumentUpdateRow(seq, update));
            await _faults.HitAsync(StoreFaults.BeforeCommit);
            await tx.CommitAsync(cancellationToken);
            OnCommitted();
            return view;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Inside a write transaction: creates the document if needed, stores <paramref name="updates"/> under the next
    /// seqs in order, and moves the head to what <paramref name="advance"/> makes of it, one sync_version per update.
    /// Returns what was written: the head (its state vector and delete set as given, not read back), the first
    /// update's seq, and the document's stored bytes (log and snapshot).
    /// </summary>
    internal static async Task<(DocumentAppend Appended, long FirstSeq)> AppendAsync(SqliteStatements statements, SqliteTransaction tx, string userId, string noteId,
        IReadOnlyList<byte[]> updates, Func<DocumentState, DocumentState> advance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DocumentState current;
        long seq;
        long snapshotBytes;
        var read = statements.For(tx, """
            INSERT INTO documents (user_id, note_id, state_vector, snapshot_sv, snapshot_ds, updated_at)
            VALUES ($u, $n, x'00', x'00', x'0000', $now) ON CONFLICT DO NOTHING;
            SELECT state_vector, delete_set, next_seq,
                COALESCE((SELECT length(snapshot) FROM document_snapshots WHERE user_id = $u AND note_id = $n), 0)
            FROM documents WHERE user_id = $u AND note_id = $n;
            """, userId, noteId);
        SqliteStatements.Set(read, "$now", Ticks.From(now));
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            current = new DocumentState((byte[])reader.GetValue(0), (byte[])reader.GetValue(1));
            seq = reader.GetInt64(2);
            snapshotBytes = reader.GetInt64(3);
        }

        var next = advance(current);
        var firstSeq = seq;

        long bytes = 0;
        var insert = statements.For(tx, "INSERT INTO document_updates (user_id, note_id, seq, update_bytes) VALUES ($u, $n, $s, $b);", userId, noteId);
        foreach (var update in updates)
        {
            SqliteStatements.Set(insert, "$s", seq++);
            SqliteStatements.Set(insert, "$b", update);
            bytes += update.LongLength;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var bump = statements.For(tx, """
            UPDATE documents SET state_vector = $sv, delete_set = $ds, sync_version = sync_version + $count, next_seq = next_seq + $count,
                log_count = log_count + $count, log_bytes = log_bytes + $len, updated_at = $now
            WHERE user_id = $u AND note_id = $n
            RETURNING sync_version, snapshot_sv, snapshot_ds, snapshot_seq, log_count, log_bytes;
            """, userId, noteId);
        SqliteStatements.Set(bump, "$sv", next.StateVector);
        SqliteStatements.Set(bump, "$ds", next.DeleteSet);
        SqliteStatements.Set(bump, "$count", updates.Count);
        SqliteStatements.Set(bump, "$len", bytes);
        SqliteStatements.Set(bump, "$now", Ticks.From(now));
        await using var written = await bump.ExecuteReaderAsync(cancellationToken);
        await written.ReadAsync(cancellationToken);
        var head = new DocumentHead(written.GetInt64(0), next.StateVector, (byte[])written.GetValue(1), (byte[])written.GetValue(2),
            written.GetInt64(3), written.GetInt32(4), written.GetInt64(5), next.DeleteSet);
        return (new DocumentAppend(head, head.LogBytes + snapshotBytes), firstSeq);
    }

    public async Task<bool> ReplaceDocumentSnapshotAsync(string userId, string noteId, DocumentSnapshot snapshot, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var tx = connection.BeginTransaction(deferred: false);
            using (var check = Command(connection, tx, "SELECT snapshot_seq FROM documents WHERE user_id = $u AND note_id = $n;", userId, noteId))
            {
                if (await check.ExecuteScalarAsync(cancellationToken) is not long seq || seq != snapshot.ExpectedSnapshotSeq)
                {
                    return false;
                }
            }

            using (var write = Command(connection, tx, """
                INSERT INTO document_snapshots (user_id, note_id, snapshot) VALUES ($u, $n, $b)
                ON CONFLICT (user_id, note_id) DO UPDATE SET snapshot = excluded.snapshot;
                """, userId, noteId))
            {
                write.Parameters.AddWithValue("$b", snapshot.Snapshot);
                await write.ExecuteNonQueryAsync(cancellationToken);
            }

            await _faults.HitAsync(StoreFaults.AfterSnapshotWrite);

            using (var head = Command(connection, tx, """
                UPDATE documents SET snapshot_sv = $sv, snapshot_ds = $ds, snapshot_seq = $folded,
                    log_count = log_count - $count, log_bytes = log_bytes - $bytes
                WHERE user_id = $u AND note_id = $n;
                DELETE FROM document_updates WHERE user_id = $u AND note_id = $n AND seq <= $folded;
                """, userId, noteId))
            {
                head.Parameters.AddWithValue("$sv", snapshot.StateVector);
                head.Parameters.AddWithValue("$ds", snapshot.DeleteSet);
                head.Parameters.AddWithValue("$folded", snapshot.FoldedSeq);
                head.Parameters.AddWithValue("$count", snapshot.FoldedCount);
                head.Parameters.AddWithValue("$bytes", snapshot.FoldedBytes);
                await head.ExecuteNonQueryAsync(cancellationToken);
            }

            await _faults.HitAsync(StoreFaults.BeforeCommit);
            await tx.CommitAsync(cancellationToken);
            OnCommitted();
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, string userId, string noteId)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$n", noteId);
        return command;
    }
}
