using System.Collections.Concurrent;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>
/// Live appends commit together across notes: SQLite has one writer and (at synchronous=FULL) one WAL sync per
/// commit, so the appends of many busy notes queue here and whichever caller gets the write gate stores every
/// queued one in a single transaction (group commit). Each append still reads and moves its own document's head.
/// </summary>
internal sealed partial class SqliteSyncStore
{
    /// <summary>Appends committed in one transaction at most; the rest wait for the next.</summary>
    internal const int MaxAppendsPerCommit = 256;

    private readonly ConcurrentQueue<QueuedAppend> _appends = new();

    // Under the write gate: the live appends' own connection and its compiled statements, kept between commits so a
    // keystroke's append opens no connection and parses no SQL. Null until the first commit and after a failed one.
    private SqliteStatements? _appendStatements;

    /// <summary>Commits that stored queued appends (for tests that count group commits).</summary>
    internal long AppendCommits => Interlocked.Read(ref _appendCommits);

    private long _appendCommits;

    /// <summary>Appends waiting for a commit now (for tests).</summary>
    internal int QueuedAppends => _appends.Count;

    private sealed class QueuedAppend(string userId, string noteId, IReadOnlyList<byte[]> updates, Func<DocumentState, DocumentState> advance, DateTimeOffset now)
    {
        private int _state; // 0 queued, 1 taken by a writer, 2 given up by its caller

        public string UserId { get; } = userId;

        public string NoteId { get; } = noteId;

        public IReadOnlyList<byte[]> Updates { get; } = updates;

        public Func<DocumentState, DocumentState> Advance { get; } = advance;

        public DateTimeOffset Now { get; } = now;

        public TaskCompletionSource<DocumentAppend> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryGiveUp() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
    }

    // In process the locking read costs next to nothing, so the head the caller saw is not used.
    public async Task<DocumentAppend> AppendDocumentUpdatesAsync(string userId, string noteId, IReadOnlyList<byte[]> updates, DocumentHead? seen,
        Func<DocumentState, DocumentState> advance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(updates.Count);
        var mine = new QueuedAppend(userId, noteId, updates, advance, now);
        _appends.Enqueue(mine);
        try
        {
            await _writeLock.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            if (mine.TryGiveUp())
            {
                throw; // not taken by a writer: it will be skipped, nothing stored
            }

            return await mine.Done.Task; // a writer has it: its outcome stands
        }

        try
        {
            // Another caller's commit may have stored this one while it waited for the gate.
            while (!mine.Done.Task.IsCompleted)
            {
                var batch = new List<QueuedAppend>();
                while (batch.Count < MaxAppendsPerCommit && _appends.TryDequeue(out var next))
                {
                    if (next.TryTake())
                    {
                        batch.Add(next);
                    }
                }

                await CommitAppendsAsync(batch, cancellationToken);
            }
        }
        finally
        {
            _writeLock.Release();
        }

        return await mine.Done.Task;
    }

    /// <summary>Stores <paramref name="batch"/> in one transaction; if that fails, each alone, so one failure fails only its own caller.</summary>
    private async Task CommitAppendsAsync(List<QueuedAppend> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await CommitAsync(batch, cancellationToken);
            return;
        }
        catch (Exception e) when (batch.Count == 1 && e is not OutOfMemoryException)
        {
            batch[0].Done.TrySetException(e);
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Retried one by one below.
        }

        foreach (var one in batch)
        {
            try
            {
                await CommitAsync([one], cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                one.Done.TrySetException(e);
            }
        }
    }

    private async Task CommitAsync(List<QueuedAppend> batch, CancellationToken cancellationToken)
    {
        var statements = _appendStatements ??= new SqliteStatements(await OpenAsync(cancellationToken));
        try
        {
            await using var tx = statements.Connection.BeginTransaction(deferred: false);
            var results = new List<DocumentAppend>(batch.Count);
            foreach (var append in batch)
            {
                results.Add((await AppendAsync(statements, tx, append.UserId, append.NoteId, append.Updates, append.Advance, append.Now, cancellationToken)).Appended);
            }

            await _faults.HitAsync(StoreFaults.BeforeCommit);
            await tx.CommitAsync(cancellationToken);
            Interlocked.Increment(ref _appendCommits);
            OnCommitted();
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
        catch
        {
            // Whatever failed, the next commit starts on a fresh connection.
            await CloseAppendConnectionAsync();
            throw;
        }
    }

    /// <summary>Closes the live appends' connection (under the write gate); the next commit opens another.</summary>
    private async Task CloseAppendConnectionAsync()
    {
        if (_appendStatements is { } statements)
        {
            _appendStatements = null;
            await statements.DisposeAsync();
            await statements.Connection.DisposeAsync();
        }
    }
}
