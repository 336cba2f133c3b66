using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class DocumentService
{
    /// <summary>
    /// Stores updates from live sockets (DESIGN 3.8) exactly as a sync request's update, in order: the same checks
    /// (413 over the size limits, 400 INVALID_YJS_UPDATE, nothing stored for a refused one), the same sync_version
    /// bump per stored update, the same live events and compaction; no answer is computed. The accepted updates go
    /// to the store in one append that reads back no log. Each update is checked against the document as the
    /// updates before it leave it, starting from <paramref name="known"/> (what the note's writer last saw, null to
    /// read it): a refusal against a state that may be stale is checked again against the stored head before it
    /// stands. One refused update fails alone; a store failure fails them all (throws). Each update carries the
    /// origin <see cref="UpdateAccepted"/> reports it with.
    /// </summary>
    private async Task<LiveAppendResult> ApplyUpdatesCoreAsync(string userId, string noteId, IReadOnlyList<LiveUpdate> updates,
        KnownDocument? known, CancellationToken cancellationToken)
    {
        CheckNoteAndSize(noteId, 0);
        var fresh = known is null;
        known ??= await ReadKnownAsync(userId, noteId, cancellationToken);
        var plan = Plan(updates, known, cancellationToken);
        if (!fresh && plan.Outcomes.Any(o => o.Refusal is not null))
        {
            known = await ReadKnownAsync(userId, noteId, cancellationToken);
            plan = Plan(updates, known, cancellationToken);
        }

        if (plan.Accepted.Count == 0)
        {
            return new LiveAppendResult(plan.Outcomes, known);
        }

        var accepted = plan.Accepted.Select(i => updates[i].Update).ToList();
        var appended = await _store.AppendDocumentUpdatesAsync(userId, noteId, accepted, known.Head,
            current => Advance(current, known.Head?.StateVector ?? RowReaders.EmptyStateVector, () => plan.StateVectorBytes, () => plan.StateVector, plan.Deletions),
            _time.GetUtcNow(), cancellationToken);

        var version = appended.Head.SyncVersion - plan.Accepted.Count;
        foreach (var index in plan.Accepted)
        {
            plan.Outcomes[index] = new LiveOutcome(++version, null);
            UpdateAccepted?.Invoke(userId, noteId, updates[index].Update, updates[index].Origin);
        }

        DocumentChanged?.Invoke(userId, noteId, appended.Head.SyncVersion);
        await CompactIfDueAsync(userId, noteId, appended.Head, cancellationToken);
        return new LiveAppendResult(plan.Outcomes, new KnownDocument(appended.Head, appended.StoredBytes));
    }

    /// <summary>The stored document's state vector (empty when the note has no document), for a socket's sync step 1.</summary>
    public async Task<byte[]> StateVectorAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        CheckNoteAndSize(noteId, 0);
        var head = await _store.ReadDocumentHeadAsync(userId, noteId, cancellationToken);
        return head?.StateVector ?? RowReaders.EmptyStateVector;
    }

    private async Task<KnownDocument> ReadKnownAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        var head = await _store.ReadDocumentHeadAsync(userId, noteId, cancellationToken);
        return new KnownDocument(head, head is null ? 0 : await _store.ReadDocumentSizeAsync(userId, noteId, cancellationToken));
    }

    /// <summary>The batch's checks, in order: each update against the document as the accepted ones before it leave it.</summary>
    private BatchPlan Plan(IReadOnlyList<LiveUpdate> updates, KnownDocument known, CancellationToken cancellationToken)
    {
        var outcomes = new LiveOutcome[updates.Count];
        var accepted = new List<int>(updates.Count);
        var state = new LiveState(known);
        byte[]? deletions = null;
        for (var i = 0; i < updates.Count; i++)
        {
            var update = updates[i].Update;
            if (Check(updates[i], state, cancellationToken) is not { } inspection)
            {
                continue; // adds nothing: nothing stored, nothing bumped (no version, no refusal)
            }

            if (inspection.Refusal is { } refusal)
            {
                outcomes[i] = new LiveOutcome(null, refusal);
                continue;
            }

            accepted.Add(i);
            state.Accept(update, inspection.Result!);
            if (inspection.Result!.Deletions.Length > 2)
            {
                deletions = deletions is null ? inspection.Result.Deletions : YUpdateInspection.UnionOfDeleteSets(deletions, inspection.Result.Deletions);
            }
        }

        return new BatchPlan(outcomes, accepted, state.StateVector, state.StateVectorBytes, deletions);
    }

    /// <summary>
    /// The check a note's hub makes as a socket's update arrives, before the writer stores it: the same checks as
    /// a stored update gets (<see cref="Check(byte[], IReadOnlyDictionary{ulong, long}, byte[], long, CancellationToken)"/>),
    /// against <paramref name="state"/> (what the hub has accepted, stored or still queued). True when the update is accepted (the state advanced): it can be fanned out at
    /// once, and the writer's own check, against a state that holds at least as much, will accept it too. False
    /// when it is refused, adds nothing, or depends on something the state does not know (a REST sync or another
    /// process may have stored it): the writer decides, as for any update, and nothing is fanned out before.
    /// </summary>
    internal bool TryAcceptLive(byte[] update, LiveState state)
    {
        try
        {
            if (Check(update, state.StateVector, state.DeleteSet, state.StoredBytes, CancellationToken.None) is not { Refusal: null, Result: { } inspection })
            {
                return false;
            }

            state.Accept(update, inspection);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // the writer's check meets the same bytes and answers for them
        }
    }

    /// <summary>
    /// A live update's checks against <paramref name="state"/>. When the note's hub checked the same bytes on arrival
    /// against a state with the same vector and deletions (<see cref="CheckedUpdate"/>), its inspection is the answer
    /// the decode would give again: only the size limits, which depend on the stored bytes, are checked anew. That
    /// is the usual case, so a keystroke is decoded once, not once by the hub and once more by its writer.
    /// </summary>
    private (ApiException? Refusal, UpdateInspection? Result)? Check(LiveUpdate live, LiveState state, CancellationToken cancellationToken)
    {
        if (live.Checked is { } check && ReferenceEquals(check.Update, live.Update) && state.IsAsBefore(check))
        {
            Interlocked.Increment(ref _reusedChecks);
            return SizeRefusal(live.Update, state.StoredBytes) is { } refusal ? (refusal, null)
                : check.Inspection.AddsNothing ? null
                : (null, check.Inspection);
        }

        return Check(live.Update, state.StateVector, state.DeleteSet, state.StoredBytes, cancellationToken);
    }

    private long _reusedChecks;

    /// <summary>Live updates whose writer took the hub's check instead of decoding them again (for tests).</summary>
    internal long ReusedChecks => Interlocked.Read(ref _reusedChecks);

    /// <summary>The size limits of one update against a document of <paramref name="stored"/> bytes; null within them.</summary>
    private ApiException? SizeRefusal(byte[] update, long stored) =>
        update.Length > _limits.MaxYjsUpdateBytes
            ? new ApiException(413, ErrorCodes.PayloadTooLarge, $"The Yjs update is over the {_limits.MaxYjsUpdateBytes}-byte limit.")
            : update.LongLength > _limits.MaxDocumentBytes - stored
                ? new ApiException(413, ErrorCodes.PayloadTooLarge,
                    $"The note would grow past the {_limits.MaxDocumentBytes}-byte document limit ({stored} bytes stored).")
                : null;

    /// <summary>One update's checks as <see cref="AcceptAsync"/> makes them; null when it adds nothing.</summary>
    private (ApiException? Refusal, UpdateInspection? Result)? Check(byte[] update, IReadOnlyDictionary<ulong, long> stateVector, byte[] deleteSet,
        long stored, CancellationToken cancellationToken)
    {
        if (SizeRefusal(update, stored) is { } tooLarge)
        {
            return (tooLarge, null);
        }

        UpdateInspection inspection;
        try
        {
            inspection = YUpdateInspection.Inspect(update, stateVector, deleteSet, cancellationToken);
        }
        catch (YjsFormatException e)
        {
            return (new ApiException(400, ErrorCodes.InvalidYjsUpdate, $"The update does not decode: {e.Message}"), null);
        }

        if (!inspection.Integrates)
        {
            return (new ApiException(400, ErrorCodes.InvalidYjsUpdate,
                "The update depends on content the server does not have; send the full state (no state vector)."), null);
        }

        return inspection.AddsNothing ? null : (null, inspection);
    }

    /// <summary>
    /// The stored state moved by accepted updates. The stored vector and delete set may have moved since
    /// <paramref name="readVector"/> was read; both only grow, so the result is the union of what is stored
    /// and what the updates bring. When the vector has not moved, <paramref name="encodeAfter"/> is already that
    /// union (it was computed from it), and a note with a million clients is not merged twice; the vector after the
    /// updates is given both ways, each made only when needed.
    /// </summary>
    private static DocumentState Advance(DocumentState current, byte[] readVector, Func<byte[]> encodeAfter,
        Func<IReadOnlyDictionary<ulong, long>> after, byte[]? deletions)
    {
        byte[] vector;
        if (current.StateVector.AsSpan().SequenceEqual(readVector))
        {
            vector = encodeAfter();
        }
        else
        {
            var merged = new Dictionary<ulong, long>(YUpdate.DecodeStateVector(current.StateVector));
            foreach (var (clientId, clock) in after())
            {
                if (clock > merged.GetValueOrDefault(clientId))
                {
                    merged[clientId] = clock;
                }
            }

            vector = YUpdate.EncodeStateVector(merged);
        }

        // Deletions as the checks encode them are sorted and merged: their union with nothing is themselves.
        var deleteSet = deletions is null ? current.DeleteSet
            : current.DeleteSet.AsSpan().SequenceEqual(RowReaders.EmptyUpdate) ? deletions
            : YUpdateInspection.UnionOfDeleteSets(current.DeleteSet, deletions);
        return new DocumentState(vector, deleteSet);
    }

    private sealed record BatchPlan(LiveOutcome[] Outcomes, List<int> Accepted, IReadOnlyDictionary<ulong, long> StateVector, byte[] StateVectorBytes,
        byte[]? Deletions);
}

/// <summary>
/// What a note's live updates are checked against: the state vector, delete set and stored size of the document
/// with the updates accepted so far applied. States only grow, so a state that holds less than the truth refuses
/// more, never accepts what the truth would refuse. The vector is one map, moved in place: a keystroke allocates
/// no map.
/// </summary>
internal sealed class LiveState
{
    private readonly Dictionary<ulong, long> _vector;

    public LiveState(KnownDocument known)
    {
        _vector = [];
        if (known.Head is not null)
        {
            Raise(known.Head.StateVector);
        }

        StateVectorBytes = known.Head?.StateVector ?? RowReaders.EmptyStateVector;
        DeleteSet = known.Head?.DeleteSet ?? RowReaders.EmptyUpdate;
        StoredBytes = known.StoredBytes;
    }

    public IReadOnlyDictionary<ulong, long> StateVector => _vector;

    /// <summary>The state vector encoded (clients descending, as stored).</summary>
    public byte[] StateVectorBytes { get; private set; }

    public byte[] DeleteSet { get; private set; }

    public long StoredBytes { get; private set; }

    /// <summary>The last update accepted here, with the state it was checked against (see <see cref="IsAsBefore"/>).</summary>
    public CheckedUpdate? LastAccepted { get; private set; }

    /// <summary>Whether this state has the vector and deletions <paramref name="check"/> was made against (so it would find the same).</summary>
    public bool IsAsBefore(CheckedUpdate check) =>
        (ReferenceEquals(StateVectorBytes, check.StateVectorBefore) || StateVectorBytes.AsSpan().SequenceEqual(check.StateVectorBefore))
        && (ReferenceEquals(DeleteSet, check.DeleteSetBefore) || DeleteSet.AsSpan().SequenceEqual(check.DeleteSetBefore));

    /// <summary>Applies an accepted update's inspection.</summary>
    public void Accept(byte[] update, UpdateInspection inspection)
    {
        LastAccepted = new CheckedUpdate(update, inspection, StateVectorBytes, DeleteSet);
        // The vector after the update holds every client of the state, each clock at least the state's.
        StateVectorBytes = inspection.AfterStateVector;
        Raise(inspection.AfterStateVector);

        StoredBytes += update.LongLength;
        if (inspection.Deletions.Length > 2)
        {
            DeleteSet = YUpdateInspection.UnionOfDeleteSets(DeleteSet, inspection.Deletions);
        }
    }

    /// <summary>Adds what a stored head holds (written by a REST sync, another process, or updates checked without this state).</summary>
    public void Include(KnownDocument stored)
    {
        if (stored.Head is null)
        {
            return;
        }

        if (Raise(stored.Head.StateVector))
        {
            StateVectorBytes = YUpdate.EncodeStateVector(_vector);
        }

        DeleteSet = YUpdateInspection.UnionOfDeleteSets(DeleteSet, stored.Head.DeleteSet);
        StoredBytes = Math.Max(StoredBytes, stored.StoredBytes);
    }

    /// <summary>Raises the vector's clocks to an encoded vector's (a stored one, so well formed); true when one rose.</summary>
    private bool Raise(byte[] encoded)
    {
        var raised = false;
        var reader = new Lib0Reader(encoded);
        for (var count = reader.ReadVarUint(); count > 0; count--)
        {
            var client = reader.ReadVarUint();
            var clock = (long)reader.ReadVarUint();
            if (clock > _vector.GetValueOrDefault(client))
            {
                _vector[client] = clock;
                raised = true;
            }
        }

        return raised;
    }
}

/// <summary>An update from a live socket, with the origin its fan-out leaves out.</summary>
public sealed record LiveUpdate(byte[] Update, object? Origin)
{
    /// <summary>How the note's hub checked these bytes on arrival, when it did (the writer may take it instead of checking the bytes again).</summary>
    internal CheckedUpdate? Checked { get; init; }
}

/// <summary>An update, its inspection, and the state it was made against (its encoded vector and its deletions).</summary>
internal sealed record CheckedUpdate(byte[] Update, UpdateInspection Inspection, byte[] StateVectorBefore, byte[] DeleteSetBefore);

/// <summary>What a note's writer knows of its document between appends: the head it last wrote or read (null: no document) and its stored bytes.</summary>
public sealed record KnownDocument(DocumentHead? Head, long StoredBytes);

/// <summary>Per update, in the order given, its outcome; and what the writer knows of the document afterwards.</summary>
public sealed record LiveAppendResult(LiveOutcome[] Outcomes, KnownDocument Known);

/// <summary>One update's outcome: its new sync_version when stored, the refusal when refused, neither when it added nothing.</summary>
public readonly record struct LiveOutcome(long? Version, ApiException? Refusal);
