using System.Data;
using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    public async Task<DocumentHead?> ReadDocumentHeadAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadHeadAsync(connection, null, userId, noteId, forUpdate: false, cancellationToken);
    }

    private static async Task<DocumentHead?> ReadHeadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, string userId, string noteId, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {RowReaders.DocumentHeadColumns} FROM documents WHERE user_id = $1 AND note_id = $2{(forUpdate ? " FOR UPDATE" : "")}",
            connection, tx);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(noteId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RowReaders.DocumentHead(reader) : null;
    }

    public async Task<DocumentView?> ReadDocumentAsync(string userId, string noteId, bool includeSnapshot, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // REPEATABLE READ: head, log and snapshot from one snapshot, in one round trip plus the commit.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT {RowReaders.DocumentHeadColumns} FROM documents WHERE user_id = $1 AND note_id = $2")
                {
                    Parameters = { new() { Value = userId }, new() { Value = noteId } },
                },
            },
        };
        AddLogReads(batch, userId, noteId, includeSnapshot);

        DocumentHead? head = null;
        (List<DocumentUpdateRow> Log, byte[]? Snapshot) rest;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                head = RowReaders.DocumentHead(reader);
            }

            rest = await ReadLogAsync(reader, includeSnapshot, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return head is null ? null : new DocumentView(head, rest.Snapshot, rest.Log);
    }

    /// <summary>Adds the reads of the log after the snapshot and, when asked, of the snapshot itself.</summary>
    /// <summary>The log after the snapshot (and the snapshot), leaving out the <paramref name="beforeNewest"/> newest updates.</summary>
    private static void AddLogReads(NpgsqlBatch batch, string userId, string noteId, bool includeSnapshot, int beforeNewest = 0)
    {
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT seq, update_bytes FROM document_updates
            WHERE user_id = $1 AND note_id = $2
              AND seq > (SELECT snapshot_seq FROM documents WHERE user_id = $1 AND note_id = $2)
              AND seq < (SELECT next_seq FROM documents WHERE user_id = $1 AND note_id = $2) - $3
            ORDER BY seq
            """)
        {
            Parameters = { new() { Value = userId }, new() { Value = noteId }, new() { Value = (long)beforeNewest } },
        });
        if (includeSnapshot)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT snapshot FROM document_snapshots WHERE user_id = $1 AND note_id = $2")
            {
                Parameters = { new() { Value = userId }, new() { Value = noteId } },
            });
        }
    }

    /// <summary>Reads what <see cref="AddLogReads"/> asked for, from the result before them onwards.</summary>
    private static async Task<(List<DocumentUpdateRow> Log, byte[]? Snapshot)> ReadLogAsync(
        NpgsqlDataReader reader, bool includeSnapshot, CancellationToken cancellationToken)
    {
        var log = new List<DocumentUpdateRow>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            log.Add(new DocumentUpdateRow(reader.GetInt64(0), (byte[])reader.GetValue(1)));
        }

        byte[]? snapshot = null;
        if (includeSnapshot)
        {
            await reader.NextResultAsync(cancellationToken);
            snapshot = await reader.ReadAsync(cancellationToken) ? (byte[])reader.GetValue(0) : RowReaders.EmptyUpdate;
        }

        return (log, snapshot);
    }

    public async Task<DocumentView> AppendDocumentUpdateAsync(string userId, string noteId, byte[] update, DocumentHead? seen,
        Func<DocumentState, DocumentState> advance, bool includeSnapshot, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await AppendAsync(userId, noteId, [update], seen, advance, readLog: true, includeSnapshot, now, cancellationToken)).View;

    public async Task<DocumentAppend> AppendDocumentUpdatesAsync(string userId, string noteId, IReadOnlyList<byte[]> updates, DocumentHead? seen,
        Func<DocumentState, DocumentState> advance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(updates.Count);
        var (view, storedBytes) = await AppendAsync(userId, noteId, updates, seen, advance, readLog: false, includeSnapshot: false, now, cancellationToken);
        return new DocumentAppend(view.Head, storedBytes);
    }

    private async Task<(DocumentView View, long StoredBytes)> AppendAsync(string userId, string noteId, IReadOnlyList<byte[]> updates,
        DocumentHead? seen, Func<DocumentState, DocumentState> advance, bool readLog, bool includeSnapshot, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        using var slot = await EnterWriteAsync(cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        // Most of the time nobody appended since the caller read the head: write what advance makes of it,
        // guarded by its sync version, in one round trip. Only when that guard fails (or the document is
        // new) is the row created if needed and read under lock, one round trip more.
        var written = seen is null
            ? null
            : await TryWriteAsync(connection, tx, userId, noteId, updates, seen.SyncVersion,
                advance(new DocumentState(seen.StateVector, seen.DeleteSet)), readLog, includeSnapshot, now, cancellationToken);
        if (written is null)
        {
            var current = await LockForAppendAsync(connection, tx, userId, noteId, now, cancellationToken);
            written = await TryWriteAsync(connection, tx, userId, noteId, updates, expectedVersion: null, advance(current), readLog, includeSnapshot, now, cancellationToken)
                ?? throw new InvalidOperationException($"Document {noteId} vanished while locked.");
        }

        await _faults.HitAsync(StoreFaults.BeforeCommit);
        await tx.CommitAsync(cancellationToken);
        return written.Value;
    }

    /// <summary>Creates the document if it is new and locks its row; returns its state vector and delete set.</summary>
    private static async Task<DocumentState> LockForAppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string userId, string noteId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO documents (user_id, note_id, state_vector, snapshot_sv, snapshot_ds, updated_at)
                    VALUES ($1, $2, '\x00'::bytea, '\x00'::bytea, '\x0000'::bytea, $3) ON CONFLICT DO NOTHING
                    """)
                {
                    Parameters = { new() { Value = userId }, new() { Value = noteId }, new() { Value = Ticks.From(now) } },
                },
                new NpgsqlBatchCommand("SELECT state_vector, delete_set FROM documents WHERE user_id = $1 AND note_id = $2 FOR UPDATE")
                {
                    Parameters = { new() { Value = userId }, new() { Value = noteId } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await SkipToRowsAsync(reader, cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new DocumentState((byte[])reader.GetValue(0), (byte[])reader.GetValue(1));
    }

    /// <summary>The head's columns but the state vector and delete set, which the writer knows (<see cref="TryWriteAsync"/>).</summary>
    private const string HeadColumnsWithoutWritten = "sync_version, snapshot_sv, snapshot_ds, snapshot_seq, log_count, log_bytes";

    /// <summary>
    /// Moves the document to <paramref name="next"/>, bumps its sync version once per update and stores the updates
    /// under the next seqs in order, then (when <paramref name="readLog"/>) reads the answer's log, all in one batch.
    /// With <paramref name="expectedVersion"/> the write happens only if the sync version is still that one; null
    /// (nothing written) otherwise. The stored size (snapshot plus log) comes back with the head.
    /// </summary>
    private static async Task<(DocumentView View, long StoredBytes)?> TryWriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        string userId, string noteId, IReadOnlyList<byte[]> updates, long? expectedVersion, DocumentState next, bool readLog, bool includeSnapshot,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var write = new NpgsqlBatchCommand($"""
            WITH moved AS (
                UPDATE documents SET state_vector = $3, delete_set = $6, sync_version = sync_version + $8, next_seq = next_seq + $8,
                    log_count = log_count + $8, log_bytes = log_bytes + $4, updated_at = $5
                WHERE user_id = $1 AND note_id = $2{(expectedVersion is null ? "" : " AND sync_version = $9")}
                RETURNING {HeadColumnsWithoutWritten}, next_seq),
            stored AS (
                INSERT INTO document_updates (user_id, note_id, seq, update_bytes)
                SELECT $1, $2, moved.next_seq - $8 + u.ord - 1, u.bytes FROM moved, unnest($7::bytea[]) WITH ORDINALITY AS u(bytes, ord))
            SELECT {HeadColumnsWithoutWritten},
                log_bytes + COALESCE((SELECT length(snapshot) FROM document_snapshots WHERE user_id = $1 AND note_id = $2), 0),
                next_seq - $8
            FROM moved
            """)
        {
            Parameters =
            {
                new() { Value = userId }, new() { Value = noteId }, new() { Value = next.StateVector },
                new() { Value = updates.Sum(u => u.LongLength) }, new() { Value = Ticks.From(now) }, new() { Value = next.DeleteSet },
                new() { Value = updates as byte[][] ?? updates.ToArray() }, new() { Value = updates.Count },
            },
        };
        if (expectedVersion is { } version)
        {
            write.Parameters.Add(new() { Value = version });
        }

        await using var batch = new NpgsqlBatch(connection, tx) { BatchCommands = { write } };
        if (readLog)
        {
            // The answer's log in the same round trip: the row is locked, so the snapshot seq is current. The
            // updates just written are not read back (a hostile one is 10 MiB): they are added from memory.
            AddLogReads(batch, userId, noteId, includeSnapshot, beforeNewest: updates.Count);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        // The state vector and delete set are what was just written (up to megabytes each): not read back either.
        var head = new DocumentHead(reader.GetInt64(0), next.StateVector, (byte[])reader.GetValue(1), (byte[])reader.GetValue(2),
            reader.GetInt64(3), reader.GetInt32(4), reader.GetInt64(5), next.DeleteSet);
        var storedBytes = reader.GetInt64(6);
        var firstSeq = reader.GetInt64(7);
        if (!readLog)
        {
            return (new DocumentView(head, null, []), storedBytes);
        }

        var (log, snapshot) = await ReadLogAsync(reader, includeSnapshot, cancellationToken);
        log.AddRange(updates.Select((update, i) => new DocumentUpdateRow(firstSeq + i, update)));
        return (new DocumentView(head, snapshot, log), storedBytes);
    }

    /// <summary>Moves a batch's reader past the results of statements that return no rows (the INSERTs).</summary>
    private static async Task SkipToRowsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        while (reader.FieldCount == 0 && await reader.NextResultAsync(cancellationToken))
        {
        }
    }

    public async Task<bool> ReplaceDocumentSnapshotAsync(string userId, string noteId, DocumentSnapshot snapshot, CancellationToken cancellationToken)
    {
        using var slot = await EnterWriteAsync(cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var head = await ReadHeadAsync(connection, tx, userId, noteId, forUpdate: true, cancellationToken);
        if (head is null || head.SnapshotSeq != snapshot.ExpectedSnapshotSeq)
        {
            return false;
        }

        await using (var write = new NpgsqlCommand("""
            INSERT INTO document_snapshots (user_id, note_id, snapshot) VALUES ($1, $2, $3)
            ON CONFLICT (user_id, note_id) DO UPDATE SET snapshot = excluded.snapshot
            """, connection, tx))
        {
            write.Parameters.AddWithValue(userId);
            write.Parameters.AddWithValue(noteId);
            write.Parameters.AddWithValue(snapshot.Snapshot);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await _faults.HitAsync(StoreFaults.AfterSnapshotWrite);

        await using (var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    UPDATE documents SET snapshot_sv = $3, snapshot_ds = $4, snapshot_seq = $5,
                        log_count = log_count - $6, log_bytes = log_bytes - $7
                    WHERE user_id = $1 AND note_id = $2
                    """)
                {
                    Parameters =
                    {
                        new() { Value = userId }, new() { Value = noteId }, new() { Value = snapshot.StateVector },
                        new() { Value = snapshot.DeleteSet }, new() { Value = snapshot.FoldedSeq },
                        new() { Value = snapshot.FoldedCount }, new() { Value = snapshot.FoldedBytes },
                    },
                },
                new NpgsqlBatchCommand("DELETE FROM document_updates WHERE user_id = $1 AND note_id = $2 AND seq <= $3")
                {
                    Parameters = { new() { Value = userId }, new() { Value = noteId }, new() { Value = snapshot.FoldedSeq } },
                },
            },
        })
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await _faults.HitAsync(StoreFaults.BeforeCommit);
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
