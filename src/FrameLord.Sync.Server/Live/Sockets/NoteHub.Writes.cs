using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Live.Sockets;

internal sealed partial class NoteHub
{
    private readonly Lock _writeGate = new();
    private readonly Queue<PendingUpdate> _pending = new();
    private bool _writing;

    // Touched by the one running writer only; null until the first write (or after a failed one) reads it.
    private KnownDocument? _known;

    // Under _writeGate: what the hub has accepted, stored or queued; null until a write tells it the stored state.
    private LiveState? _accepted;

    // Under _writeGate: the updates fanned out early whose write has not finished, in order. A socket that joins
    // meanwhile is sent them (the stored document it reads lacks them), and a REST read waits for them.
    private readonly List<PendingUpdate> _unstored = [];

    // FannedOut: accepted by the hub's check, so sent before it is stored; Checked: how (null when not recorded).
    private sealed record PendingUpdate(byte[] Update, INotePeer Origin, bool FannedOut, CheckedUpdate? Checked, TaskCompletionSource<long?> Stored);

    /// <summary>
    /// Checks an update as it arrives against what the hub has accepted (true: accepted, the state advanced); null
    /// leaves every update to the writer, fanned out once stored.
    /// </summary>
    public Func<byte[], LiveState, bool>? Precheck { get; init; }

    /// <summary>The state <see cref="Precheck"/> starts from, from what a write learnt of the stored document.</summary>
    public Func<KnownDocument, LiveState> OpenState { get; init; } = known => new LiveState(known);

    /// <summary>
    /// Completes once every update fanned out here before the call has finished its write (stored, refused or
    /// failed; never faults), so that a REST read of the note holds whatever a socket of it was already sent.
    /// </summary>
    public Task WhenFannedOutStoredAsync()
    {
        lock (_writeGate)
        {
            // Writes finish in order: the last one's outcome means every earlier one's too.
            return _unstored.Count == 0
                ? Task.CompletedTask
                : _unstored[^1].Stored.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Adds a peer, and sends it the updates fanned out early that are not stored yet: the document it is about to
    /// read lacks them, and nothing else would send them. Joining under the write gate puts every update in exactly
    /// one of the two (this list, or the fan-outs it receives as a peer); a repeat of a stored one is harmless.
    /// </summary>
    private void AddPeer(INotePeer peer)
    {
        byte[][] unstored;
        lock (_writeGate)
        {
            lock (_gate)
            {
                _peers = [.. _peers, peer];
            }

            unstored = _unstored.Count == 0 ? [] : _unstored.Select(p => p.Update).ToArray();
        }

        foreach (var update in unstored)
        {
            peer.SendUpdate(new OutgoingUpdate(update));
        }
    }

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
    /// An update that <see cref="Precheck"/> accepts is sent to the note's other sockets at once, in the order of
    /// the checks, before it is stored (its wait still completes only once it is stored: a Hocuspocus
    /// acknowledgement means stored); its origin then reaches the store as a <see cref="FannedOutOrigin"/>, so the
    /// fan-out after storing skips it. One the check does not accept is fanned out after it is stored, as before.
    /// </summary>
    public Task<long?> StoreAsync(byte[] update, INotePeer origin, int maxBatchBytes,
        Func<IReadOnlyList<LiveUpdate>, KnownDocument?, Task<LiveAppendResult>> store, Action<NoteHub> idle)
    {
        var stored = new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_writeGate)
        {
            var fannedOut = _accepted is not null && Precheck is not null && Precheck(update, _accepted);
            // What the check found goes along to the writer, which takes it when its own state is the one checked against.
            var check = fannedOut && _accepted!.LastAccepted is { } last && ReferenceEquals(last.Update, update) ? last : null;
            var pending = new PendingUpdate(update, origin, fannedOut, check, stored);
            if (fannedOut)
            {
                BroadcastUpdate(update, origin);
                _unstored.Add(pending);
            }

            _pending.Enqueue(pending);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(() => WriteAsync(maxBatchBytes, store, idle));
        }

        return stored.Task;
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
                var result = await store(batch.Select(p => new LiveUpdate(p.Update, p.FannedOut ? new FannedOutOrigin(p.Origin) : p.Origin)
                {
                    Checked = p.Checked,
                }).ToList(), _known);
                _known = result.Known;
                // The checking state moves before any wait completes: whoever learns an outcome finds the hub past it.
                var refusedFannedOut = batch.Where((p, i) => p.FannedOut && result.Outcomes[i].Refusal is not null).Any();
                Learn(result.Known, forget: refusedFannedOut, include: batch.Exists(p => !p.FannedOut), batch);
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
                // Updates of it were fanned out already: every socket of the note reconnects, so the clients that
                // hold them send the store what it lacks (a sender gone for good is not the only copy's keeper).
                _known = null;
                Learn(null, forget: true, include: false, batch);
                if (batch.Exists(p => p.FannedOut))
                {
                    foreach (var peer in Volatile.Read(ref _peers))
                    {
                        peer.Resync();
                    }
                }
                foreach (var one in batch)
                {
                    one.Stored.TrySetException(e);
                }
            }
        }

        idle(this);
    }

    /// <summary>
    /// Keeps the checking state in step with a write: started from the stored state when there is none; the
    /// stored state added when the batch held updates the state had not accepted (or the service read the head
    /// again); dropped when the store failed or refused an update accepted early, since the state then holds
    /// something the store does not (the next write starts it again). The batch's early updates leave the list
    /// of unstored ones: stored, they are in what a joining socket reads; failed, every socket resyncs.
    /// </summary>
    private void Learn(KnownDocument? stored, bool forget, bool include, List<PendingUpdate> batch)
    {
        lock (_writeGate)
        {
            // The batch is the queue's head, so its early updates are the head of the unstored list.
            _unstored.RemoveRange(0, batch.Count(p => p.FannedOut));
            if (forget || stored is null)
            {
                _accepted = null;
            }
            else if (_accepted is null)
            {
                _accepted = Precheck is null ? null : OpenState(stored);
            }
            else if (include)
            {
                _accepted.Include(stored);
            }
        }
    }
}

/// <summary>The origin of an update already fanned out to the note's sockets here before it was stored.</summary>
internal sealed record FannedOutOrigin(INotePeer Peer);
