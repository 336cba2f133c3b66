using FrameLord.Sync.Crdt;

namespace FrameLord.Sync.Server.Live.Sockets;

internal sealed partial class NoteHub
{
    private readonly Lock _writeGate = new();
    private readonly Queue<PendingUpdate> _pending = new();
    private bool _writing;

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
    /// once stored, or faults as the store refused it. One writer per note stores the queue in order: what
    /// queued up while a write ran is merged into one append (group commit per note), so a busy note costs one
    /// append per store round trip, not one per keystroke. If a merged append is refused (one bad update, or a
    /// failing store), each update is stored on its own, in order, so only the bad one fails.
    /// </summary>
    public Task<long?> StoreAsync(byte[] update, INotePeer origin, int maxBatchBytes, Func<byte[], INotePeer?, Task<long?>> store, Action<NoteHub> idle)
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

    private async Task WriteAsync(int maxBatchBytes, Func<byte[], INotePeer?, Task<long?>> store, Action<NoteHub> idle)
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

            if (batch.Count > 1 && await TryStoreMergedAsync(batch, store))
            {
                continue;
            }

            foreach (var one in batch)
            {
                try
                {
                    one.Stored.TrySetResult(await store(one.Update, one.Origin));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    one.Stored.TrySetException(e);
                }
            }
        }

        idle(this);
    }

    private static async Task<bool> TryStoreMergedAsync(List<PendingUpdate> batch, Func<byte[], INotePeer?, Task<long?>> store)
    {
        long? version;
        try
        {
            // Several origins: the merged update goes to every socket, senders included (Yjs drops what it has).
            version = await store(YUpdate.MergeUpdates(batch.Select(b => b.Update).ToList()), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }

        foreach (var one in batch)
        {
            one.Stored.TrySetResult(version);
        }

        return true;
    }
}
