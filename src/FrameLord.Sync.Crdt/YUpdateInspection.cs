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
        return TryIntegrate(ScannedUpdate.Scan(update, CancellationToken.None), stateVector, out after, ref work, CancellationToken.None);
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
        var scanned = ScannedUpdate.Scan(update, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var addsNothing = scanned.StructsCovered(stateVector)
            && (scanned.DeleteSet.IsEmpty || Covered(scanned.DeleteSet, UpdateScanner.DeleteSetOf(knownDeletions)));
        cancellationToken.ThrowIfCancellationRequested();
        var integrates = TryIntegrate(scanned, stateVector, out var after, ref work, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return new UpdateInspection(integrates, after, addsNothing, Encode(scanned.DeleteSet));
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
    internal static bool TryIntegrate(ScannedUpdate scanned, IReadOnlyDictionary<ulong, long> stateVector, out Dictionary<ulong, long> after,
        ref long work, CancellationToken cancellationToken)
    {
        var sections = scanned.Sections;
        var count = sections.Count;
        after = new Dictionary<ulong, long>(stateVector.Count + count);
        foreach (var (client, clock) in stateVector)
        {
            after[client] = clock;
        }

        var bySection = scanned.BySection;
        var cursors = new int[count];
        var next = new long[count];
        var done = new bool[count];
        for (var s = 0; s < count; s++)
        {
            cursors[s] = sections[s].FirstEvent;
            next[s] = sections[s].Start;
        }

        var walk = new SectionWalk(scanned.Events, after, cursors, next);
        var onStack = new bool[count];
        var stack = new Stack<(int Section, ulong WaitClient, long WaitClock)>(Math.Min(count, 1 << 16));
        for (var root = 0; root < count; root++)
        {
            if (done[root])
            {
                continue;
            }

            stack.Push((root, 0, -1));
            onStack[root] = true;
            while (stack.Count > 0)
            {
                var (s, waitClient, waitClock) = stack.Peek();
                var step = walk.Advance(s, sections[s], waitClient, waitClock, ref work, cancellationToken);
                switch (step)
                {
                    case Step.Gap:
                        return false;
                    case Step.Blocked:
                        var blockedOn = walk.BlockedOn;
                        if (!bySection.TryGetValue(blockedOn.Client, out var other) || other < 0 || onStack[other] || done[other])
                        {
                            // Not in the update, already used up, or waiting (via the stack) on this very section.
                            return false;
                        }

                        stack.Push((other, blockedOn.Client, blockedOn.Clock));
                        onStack[other] = true;
                        work++;
                        continue;
                    case Step.WaiterSatisfied:
                        // Unfinished: it leaves the stack and may be pushed again by a later block.
                        stack.Pop();
                        onStack[s] = false;
                        work++;
                        continue;
                }

                done[s] = true;
                stack.Pop();
                onStack[s] = false;
                work++;
                if (waitClock >= 0 && after.GetValueOrDefault(waitClient) <= waitClock)
                {
                    // The section ran out before reaching the clock the one below waits for.
                    return false;
                }
            }
        }

        foreach (var (client, ranges) in scanned.DeleteSet.Clients)
        {
            var state = after.GetValueOrDefault(client);
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

    private enum Step
    {
        Finished,
        Blocked,
        WaiterSatisfied,
        Gap,
    }

    /// <summary>Moves sections forward over their events; <see cref="BlockedOn"/> says what the last block waits for.</summary>
    private sealed class SectionWalk(List<ScanEvent> events, Dictionary<ulong, long> after, int[] cursors, long[] next)
    {
        public (ulong Client, long Clock) BlockedOn { get; private set; }

        /// <summary>
        /// Integrates section <paramref name="s"/> as far as it goes: every struct before its next event at
        /// once, then the event. Stops when the section ends, blocks, leaves a gap, or has passed the clock
        /// the section below it on the stack waits for.
        /// </summary>
        public Step Advance(int s, in ScannedSection section, ulong waitClient, long waitClock, ref long work, CancellationToken cancellationToken)
        {
            var client = section.Client;
            while (true)
            {
                if ((++work & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                // The structs from next[s] up to the next event (or the last struct) need nothing from others.
                var state = after.GetValueOrDefault(client);
                var target = cursors[s] < section.EventEnd ? events[cursors[s]].Clock : section.ContentEnd;
                if (target > state && next[s] < target)
                {
                    if (next[s] > state)
                    {
                        // A gap in the section's own clocks: only this section could fill it.
                        return Step.Gap;
                    }

                    after[client] = state = target;
                }

                next[s] = Math.Max(next[s], target);
                if (cursors[s] == section.EventEnd)
                {
                    return Step.Finished;
                }

                if (waitClock >= 0 && client == waitClient && state > waitClock)
                {
                    // The section below waited for exactly this clock: go back to it first.
                    return Step.WaiterSatisfied;
                }

                var e = events[cursors[s]];
                if (e.End <= state)
                {
                    cursors[s]++; // known already, whatever it depends on
                }
                else if (e.IsSkip)
                {
                    next[s] = Math.Max(next[s], e.End); // absent: the next struct must be known up to here
                    cursors[s]++;
                }
                else if (e.DependsOnClock < after.GetValueOrDefault(e.DependsOnClient))
                {
                    cursors[s]++;
                }
                else
                {
                    BlockedOn = (e.DependsOnClient, e.DependsOnClock);
                    return Step.Blocked;
                }
            }
        }
    }

    /// <summary>True when the update carries no structs and no deletions beyond what <paramref name="stateVector"/> has (a no-op).</summary>
    public static bool AddsNothing(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        var scanned = ScannedUpdate.Scan(update, CancellationToken.None);
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
        var scanned = ScannedUpdate.Scan(update, CancellationToken.None);
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
/// <param name="Integrates">False when part of the update depends on content outside the state and the update.</param>
/// <param name="After">The state vector after integrating it.</param>
/// <param name="AddsNothing">Every struct and every deletion is already known: storing it would change nothing.</param>
/// <param name="Deletions">The update's delete set alone, as an update with no structs.</param>
public sealed record UpdateInspection(bool Integrates, Dictionary<ulong, long> After, bool AddsNothing, byte[] Deletions);
