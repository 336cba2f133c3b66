using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// Questions a server asks of an update without a document: would it integrate completely into a
/// document with a given state vector, and what state vector would that document have afterwards.
/// The cost is proportional to the update, not to the document.
/// </summary>
public static class YUpdateInspection
{
    /// <summary>
    /// Decides whether <paramref name="update"/> integrates completely (no pending structs, no pending
    /// deletions) into a document whose state vector is <paramref name="stateVector"/>: every struct
    /// continues its client's clocks without a gap, every origin, right origin and parent it names is
    /// known before it or earlier in the update, and every deleted range lies within the resulting state.
    /// </summary>
    /// <param name="update">A V1 update; malformed bytes throw <see cref="YjsFormatException"/>.</param>
    /// <param name="stateVector">The document's state: client → next expected clock.</param>
    /// <param name="after">The state vector after integrating (a copy of <paramref name="stateVector"/>, advanced).</param>
    /// <returns>False when some of the update depends on content outside the state and the update.</returns>
    public static bool TryIntegrate(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector, out Dictionary<ulong, long> after)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        long work = 0;
        using var scanned = ScannedUpdate.Scan(update, CancellationToken.None);
        var clocks = PooledArrays.Rent<long>(scanned.SectionCount);
        try
        {
            var integrates = TryIntegrate(scanned, stateVector, clocks, ref work, CancellationToken.None);
            after = new AfterState(scanned, stateVector, clocks).ToDictionary();
            return integrates;
        }
        finally
        {
            PooledArrays.Return(clocks);
        }
    }

    /// <summary>
    /// Everything a server asks of a client's update, from one pass over its bytes: whether it integrates into a
    /// document with <paramref name="stateVector"/> (see <see cref="TryIntegrate(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, out Dictionary{ulong, long})"/>),
    /// the state vector after it, whether it adds nothing to a document whose deletions are
    /// <paramref name="knownDeletions"/> (see <see cref="AddsNothing(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, ReadOnlySpan{byte})"/>),
    /// and its delete set alone (see <see cref="DeleteSetOf"/>). The update is scanned, not decoded: no
    /// item or content is built, so the cost is a few steps per struct and the bytes are read once.
    /// </summary>
    /// <param name="update">A V1 update; malformed bytes throw <see cref="YjsFormatException"/>.</param>
    /// <param name="stateVector">The document's state: client → next expected clock.</param>
    /// <param name="knownDeletions">The document's deletions, as an update.</param>
    /// <param name="cancellationToken">Checked between the steps and every few thousand structs within them.</param>
    public static UpdateInspection Inspect(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector, ReadOnlySpan<byte> knownDeletions,
        CancellationToken cancellationToken = default)
    {
        long work = 0;
        return Inspect(update, stateVector, knownDeletions, ref work, cancellationToken);
    }

    /// <summary><see cref="Inspect(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, ReadOnlySpan{byte}, CancellationToken)"/>, counting its steps in <paramref name="work"/>.</summary>
    internal static UpdateInspection Inspect(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector, ReadOnlySpan<byte> knownDeletions,
        ref long work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        using var scanned = ScannedUpdate.Scan(update, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var addsNothing = scanned.StructsCovered(stateVector)
            && (scanned.DeleteSet.IsEmpty || Covered(scanned.DeleteSet, UpdateScanner.DeleteSetOf(knownDeletions)));
        cancellationToken.ThrowIfCancellationRequested();
        var clocks = PooledArrays.Rent<long>(scanned.SectionCount);
        try
        {
            var integrates = TryIntegrate(scanned, stateVector, clocks, ref work, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var vector = new AfterState(scanned, stateVector, clocks).Encode();
            return new UpdateInspection(integrates, vector, addsNothing, Encode(scanned.DeleteSet));
        }
        finally
        {
            PooledArrays.Return(clocks);
        }
    }

    /// <summary>
    /// The integrability check in time linear in the update, whatever the order of its sections: a stack
    /// of blocked sections (yjs resolves dependencies with a pending stack the same way). A section
    /// advances in ranges, from one of its events (a struct naming another client's content, a skipped
    /// range) to the next; blocked on another client's clock it pushes that client's section and resumes
    /// once that section has reached the clock. Every push follows a block on one event, so there are at
    /// most as many pushes and pops as events plus sections; <paramref name="work"/> counts every step.
    /// A block that no section can lift (a gap, a client not in the update or already exhausted, a cycle
    /// of sections waiting on each other) means the update does not integrate.
    /// </summary>
    /// <remarks><c>after</c> is filled with, per section of <paramref name="scanned"/>, its client's clock afterwards (as far as the check got).</remarks>
    internal static bool TryIntegrate(ScannedUpdate scanned, IReadOnlyDictionary<ulong, long> stateVector, long[] after,
        ref long work, CancellationToken cancellationToken)
    {
        var count = scanned.SectionCount;
        var next = PooledArrays.Rent<long>(count);
        var cursors = PooledArrays.Rent<int>(count);
        var status = PooledArrays.Rent<byte>(count);
        var stack = PooledArrays.Rent<int>(count);
        var waits = PooledArrays.Rent<long>(count);
        try
        {
            Array.Clear(status, 0, count);
            return TryIntegrate(scanned, stateVector, after, next, cursors, status, stack, waits, ref work, cancellationToken);
        }
        finally
        {
            PooledArrays.Return(next);
            PooledArrays.Return(cursors);
            PooledArrays.Return(status);
            PooledArrays.Return(stack);
            PooledArrays.Return(waits);
        }
    }

    /// <summary>The check on rented arrays (<paramref name="status"/> cleared: nothing on the stack, nothing done).</summary>
    private static bool TryIntegrate(ScannedUpdate scanned, IReadOnlyDictionary<ulong, long> stateVector, long[] after,
        long[] next, int[] cursors, byte[] status, int[] stack, long[] waits, ref long work, CancellationToken cancellationToken)
    {
        var count = scanned.SectionCount;
        for (var s = 0; s < count; s++)
        {
            after[s] = stateVector.GetValueOrDefault(scanned.Clients[s]);
            next[s] = scanned.Starts[s];
            cursors[s] = scanned.FirstEvent(s);
        }

        var walk = new SectionWalk(scanned, stateVector, after, next, cursors);
        for (var root = 0; root < count; root++)
        {
            if (status[root] == Done)
            {
                continue;
            }

            var top = 0;
            stack[0] = root;
            waits[0] = -1;
            status[root] = OnStack;
            while (top >= 0)
            {
                var s = stack[top];
                var waitClock = waits[top];
                switch (walk.Advance(s, waitClock, ref work, cancellationToken))
                {
                    case Step.Gap:
                        return false;
                    case Step.Blocked:
                        var other = walk.BlockedOn;
                        if (other < 0 || status[other] != 0)
                        {
                            // Not in the update, already used up, or waiting (via the stack) on this very section.
                            return false;
                        }

                        stack[++top] = other;
                        waits[top] = walk.BlockedOnClock;
                        status[other] = OnStack;
                        work++;
                        continue;
                    case Step.WaiterSatisfied:
                        // Unfinished: it leaves the stack and may be pushed again by a later block.
                        top--;
                        status[s] = 0;
                        work++;
                        continue;
                }

                status[s] = Done;
                top--;
                work++;
                if (waitClock >= 0 && after[s] <= waitClock)
                {
                    // The section ran out before reaching the clock the one below waits for.
                    return false;
                }
            }
        }

        foreach (var (client, ranges) in scanned.DeleteSet.Clients)
        {
            var section = scanned.SectionOf(client);
            var state = section >= 0 ? after[section] : stateVector.GetValueOrDefault(client);
            foreach (var range in ranges)
            {
                if ((++work & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (range.Clock + range.Length > state)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private const byte OnStack = 1;
    private const byte Done = 2;

    private enum Step
    {
        Finished,
        Blocked,
        WaiterSatisfied,
        Gap,
    }

    /// <summary>Moves sections forward over their events; <see cref="BlockedOn"/> says what the last block waits for.</summary>
    private sealed class SectionWalk(ScannedUpdate scanned, IReadOnlyDictionary<ulong, long> stateVector, long[] after, long[] next, int[] cursors)
    {
        private readonly long[] _eventClocks = scanned.EventClocks;
        private readonly long[] _eventEnds = scanned.EventStructEnds;
        private readonly long[] _dependsOn = scanned.EventDependsOn;
        private readonly int[] _eventSections = scanned.EventSections;

        /// <summary>The section the last block waits for (-1: none in the update can lift it).</summary>
        public int BlockedOn { get; private set; }

        public long BlockedOnClock { get; private set; }

        /// <summary>
        /// Integrates section <paramref name="s"/> as far as it goes: every struct before its next event at
        /// once, then the event. Stops when the section ends, blocks, leaves a gap, or has passed the clock
        /// the section below it on the stack waits for (<paramref name="waitClock"/>, -1: none).
        /// </summary>
        public Step Advance(int s, long waitClock, ref long work, CancellationToken cancellationToken)
        {
            var eventEnd = scanned.EventEnds[s];
            var cursor = cursors[s];
            var state = after[s];
            var reached = next[s];
            while (true)
            {
                if ((++work & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                // The structs from next[s] up to the next event (or the last struct) need nothing from others.
                var target = cursor < eventEnd ? _eventClocks[cursor] : scanned.ContentEnds[s];
                if (target > state && reached < target)
                {
                    if (reached > state)
                    {
                        // A gap in the section's own clocks: only this section could fill it.
                        return Save(s, cursor, state, reached, Step.Gap);
                    }

                    state = target;
                }

                reached = Math.Max(reached, target);
                if (cursor == eventEnd)
                {
                    return Save(s, cursor, state, reached, Step.Finished);
                }

                if (waitClock >= 0 && state > waitClock)
                {
                    // The section below waited for exactly this clock: go back to it first.
                    return Save(s, cursor, state, reached, Step.WaiterSatisfied);
                }

                var dependsOn = _dependsOn[cursor];
                if (_eventEnds[cursor] <= state)
                {
                    cursor++; // known already, whatever it depends on
                }
                else if (dependsOn == ScannedUpdate.Skipped)
                {
                    reached = Math.Max(reached, _eventEnds[cursor]); // absent: the next struct must be known up to here
                    cursor++;
                }
                else
                {
                    var other = _eventSections[cursor];
                    if (dependsOn < (other >= 0 ? after[other] : stateVector.GetValueOrDefault(scanned.EventClients[cursor])))
                    {
                        cursor++;
                    }
                    else
                    {
                        BlockedOn = other;
                        BlockedOnClock = dependsOn;
                        return Save(s, cursor, state, reached, Step.Blocked);
                    }
                }
            }
        }

        private Step Save(int s, int cursor, long state, long reached, Step step)
        {
            cursors[s] = cursor;
            after[s] = state;
            next[s] = reached;
            return step;
        }
    }

    /// <summary>True when the update carries no structs and no deletions beyond what <paramref name="stateVector"/> has (a no-op).</summary>
    public static bool AddsNothing(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        using var scanned = ScannedUpdate.Scan(update, CancellationToken.None);
        return scanned.DeleteSet.IsEmpty && scanned.StructsCovered(stateVector);
    }

    /// <summary>
    /// True when the update is a no-op for a document whose state vector is <paramref name="stateVector"/>
    /// and whose deletions are <paramref name="knownDeletions"/> (an update, typically delete-only): every
    /// struct is already known and every range it deletes is already deleted. A client that resends its
    /// whole delete set with each edit-free sync adds nothing.
    /// </summary>
    public static bool AddsNothing(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector, ReadOnlySpan<byte> knownDeletions)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        using var scanned = ScannedUpdate.Scan(update, CancellationToken.None);
        return scanned.StructsCovered(stateVector)
            && (scanned.DeleteSet.IsEmpty || Covered(scanned.DeleteSet, UpdateScanner.DeleteSetOf(knownDeletions)));
    }

    /// <summary>
    /// The union of the delete sets of two updates, as an update with no structs (sorted and merged): what a
    /// server stores as a document's deletions after an update. Linear in their sizes; the structs of
    /// either update are left out.
    /// </summary>
    public static byte[] UnionOfDeleteSets(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        return Encode(DeleteSet.Union(UpdateScanner.DeleteSetOf(first), UpdateScanner.DeleteSetOf(second)));
    }

    /// <summary>The delete set of <paramref name="update"/> alone, as an update with no structs (sorted and merged).</summary>
    public static byte[] DeleteSetOf(ReadOnlySpan<byte> update) => Encode(UpdateScanner.DeleteSetOf(update));

    /// <summary>A delete set as an update with no structs, sorted and merged.</summary>
    private static byte[] Encode(DeleteSet deleteSet)
    {
        deleteSet.SortAndMerge();
        using var writer = new ByteWriter(16);
        writer.WriteVarUint(0UL);
        deleteSet.Write(writer);
        return writer.ToArray();
    }

    /// <summary>
    /// True when every clock range <paramref name="update"/> deletes is already deleted in
    /// <paramref name="known"/> (an update, typically a delete-only one): its delete set adds nothing.
    /// </summary>
    public static bool DeleteSetCovered(ReadOnlySpan<byte> update, ReadOnlySpan<byte> known)
    {
        var mine = UpdateScanner.DeleteSetOf(update);
        return mine.IsEmpty || Covered(mine, UpdateScanner.DeleteSetOf(known));
    }

    private static bool Covered(DeleteSet mine, DeleteSet theirs)
    {
        theirs.SortAndMerge();
        foreach (var (client, ranges) in mine.Clients)
        {
            if (!theirs.TryGetRanges(client, out var covering))
            {
                return false;
            }

            foreach (var range in ranges)
            {
                // The last covering range starting at or before this one must reach its end.
                int lo = 0, hi = covering.Count - 1, found = -1;
                while (lo <= hi)
                {
                    var mid = (lo + hi) >>> 1;
                    if (covering[mid].Clock <= range.Clock)
                    {
                        found = mid;
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid - 1;
                    }
                }

                if (found < 0 || covering[found].End < range.End)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Per client, the first clock and the end clock of the update's structs (yjs <c>parseUpdateMeta</c>).</summary>
    public static (IReadOnlyDictionary<ulong, long> From, IReadOnlyDictionary<ulong, long> To) ParseMeta(ReadOnlySpan<byte> update)
    {
        var (structs, _) = UpdateScanner.Scan(update);
        var from = new Dictionary<ulong, long>();
        var to = new Dictionary<ulong, long>();
        foreach (var item in structs)
        {
            from.TryAdd(item.Client, item.Clock);
            to[item.Client] = item.EndClock;
        }

        return (from, to);
    }
}

/// <summary>What <see cref="YUpdateInspection.Inspect(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, ReadOnlySpan{byte}, CancellationToken)"/> found.</summary>
public sealed class UpdateInspection
{
    private Dictionary<ulong, long>? _after;

    internal UpdateInspection(bool integrates, byte[] afterStateVector, bool addsNothing, byte[] deletions)
    {
        Integrates = integrates;
        AfterStateVector = afterStateVector;
        AddsNothing = addsNothing;
        Deletions = deletions;
    }

    /// <summary>False when part of the update depends on content outside the state and the update.</summary>
    public bool Integrates { get; }

    /// <summary>The state vector after integrating it, decoded from <see cref="AfterStateVector"/> on first use.</summary>
    public Dictionary<ulong, long> After => _after ??= YUpdate.DecodeStateVectorInternal(AfterStateVector);

    /// <summary>
    /// The state vector after integrating it, encoded (clients descending, as <see cref="YUpdate.EncodeStateVector"/>
    /// writes it): made from the inspection's arrays without a map of every client, and ready to store.
    /// </summary>
    public byte[] AfterStateVector { get; }

    /// <summary>Every struct and every deletion is already known: storing it would change nothing.</summary>
    public bool AddsNothing { get; }

    /// <summary>The update's delete set alone, as an update with no structs.</summary>
    public byte[] Deletions { get; }
}
