using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Live.Sockets;

internal sealed partial class NoteHub
{
    private readonly Lock _writeGate = new();
    private readonly Queue<PendingUpdate> _pending = new();
    private bool _writing;

    // Touched by the one running writer only; null until the first write (or after a failed one) reads it.
    private KnownDocument? _known;

    private sealed record PendingUpdate(byte[] Update, INotePeer Origin, TaskCompletionSource<long?> Stored);

    /// <summary>Whether updates are queued or being stored; the registry keeps the hub while they are.</summary>
    public bool IsWriting
    {
        get
        {
            lock (_writeGate)
            {
                return _writing;
            }
        }
    }

    /// <summary>
    /// Queues a socket's update for storing; completes with the new sync_version (null when it added nothing)
    /// once stored, or faults as it was refused or the store failed. One writer per note stores the queue in
    /// order: what queued up while a write ran (from any socket of the note, up to <paramref name="maxBatchBytes"/>)
    /// goes to <paramref name="store"/> as one batch, one transaction, each update checked and logged on its own
    /// (a bad one fails alone). The writer hands the store what the last write left of the document, so a
    /// keystroke costs one append, not a read of the head first.
    /// </summary>
    public Task<long?> StoreAsync(byte[] update, INotePeer origin, int maxBatchBytes,
        Func<IReadOnlyList<LiveUpdate>, KnownDocument?, Task<LiveAppendResult>> store, Action<NoteHub> idle)
    {
        var pending = new PendingUpdate(update, origin, new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_writeGate)
        {
            _pending.Enqueue(pending);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(() => WriteAsync(maxBatchBytes, store, idle));
        }

        return pending.Stored.Task;
    }

    private async Task WriteAsync(int maxBatchBytes, Func<IReadOnlyList<LiveUpdate>, KnownDocument?, Task<LiveAppendResult>> store, Action<NoteHub> idle)
    {
        while (true)
        {
            List<PendingUpdate> batch = [];
            lock (_writeGate)
            {
                long bytes = 0;
                while (_pending.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Update.Length <= maxBatchBytes))
                {
                    bytes += next.Update.Length;
                    batch.Add(_pending.Dequeue());
                }

                if (batch.Count == 0)
                {
                    _writing = false;
                    break;
                }
            }

            try
            {
                var result = await store(batch.Select(p => new LiveUpdate(p.Update, p.Origin)).ToList(), _known);
                _known = result.Known;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (result.Outcomes[i].Refusal is { } refusal)
                    {
                        batch[i].Stored.TrySetException(refusal);
                    }
                    else
                    {
                        batch[i].Stored.TrySetResult(result.Outcomes[i].Version);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Nothing of the batch is acknowledged; its sockets close and their clients resend after reconnecting.
                _known = null;
                foreach (var one in batch)
                {
                    one.Stored.TrySetException(e);
                }
            }
        }

        idle(this);
    }
}
