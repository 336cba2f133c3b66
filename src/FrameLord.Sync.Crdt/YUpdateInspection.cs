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
        return TryIntegrate(UpdateDecoder.Decode(update), stateVector, out after, ref work, CancellationToken.None);
    }

    /// <summary>
    /// Everything a server asks of a client's update, from one decoding: whether it integrates into a
    /// document with <paramref name="stateVector"/> (see <see cref="TryIntegrate(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, out Dictionary{ulong, long})"/>),
    /// the state vector after it, whether it adds nothing to a document whose deletions are
    /// <paramref name="knownDeletions"/> (see <see cref="AddsNothing(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, ReadOnlySpan{byte})"/>),
    /// and its delete set alone (see <see cref="DeleteSetOf"/>).
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
        var decoded = UpdateDecoder.Decode(update, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var addsNothing = StructsCovered(decoded, stateVector)
            && (decoded.DeleteSet.IsEmpty || Covered(decoded.DeleteSet, UpdateDecoder.Decode(knownDeletions, cancellationToken).DeleteSet));
        cancellationToken.ThrowIfCancellationRequested();
        var integrates = TryIntegrate(decoded, stateVector, out var after, ref work, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return new UpdateInspection(integrates, after, addsNothing, Encode(decoded.DeleteSet));
    }

    /// <summary>
    /// The integrability check in time linear in the update, whatever the order of its sections: a stack
    /// of blocked sections (yjs resolves dependencies with a pending stack the same way). A section
    /// blocked on another client's clock pushes that client's section and resumes once it has reached
    /// the clock. Every push follows a block of some struct on one of its at most three dependencies, so
    /// there are at most 3n pushes and pops and n struct advances; <paramref name="work"/> counts both.
    /// A block that no section can lift (a gap, a client not in the update or already exhausted, a cycle
    /// of sections waiting on each other) means the update does not integrate.
    /// </summary>
    internal static bool TryIntegrate(DecodedUpdate decoded, IReadOnlyDictionary<ulong, long> stateVector, out Dictionary<ulong, long> after,
        ref long work, CancellationToken cancellationToken)
    {
        after = new Dictionary<ulong, long>(stateVector);
        var sections = decoded.Sections;
        var bySection = new Dictionary<ulong, int>(sections.Count);
        for (var s = 0; s < sections.Count; s++)
        {
            bySection[sections[s].Client] = s;
        }

        var cursors = new int[sections.Count];
        var onStack = new bool[sections.Count];
        var stack = new Stack<(int Section, ulong WaitClient, long WaitClock)>();
        for (var root = 0; root < sections.Count; root++)
        {
            if (cursors[root] == sections[root].Refs.Count)
            {
                continue;
            }

            stack.Push((root, 0, -1));
            onStack[root] = true;
            while (stack.Count > 0)
            {
                var (s, waitClient, waitClock) = stack.Peek();
                var refs = sections[s].Refs;
                var client = sections[s].Client;
                var waiterSatisfied = false;
                ulong blockedOn = 0;
                var blocked = false;
                while (cursors[s] < refs.Count)
                {
                    if ((++work & 0xFFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var next = refs[cursors[s]];
                    var state = after.GetValueOrDefault(client);
                    if (next is SkipStruct || End(next) <= state)
                    {
                        cursors[s]++;
                        continue;
                    }

                    if (next.Clock > state)
                    {
                        // A gap in the section's own clocks: only this section could fill it.
                        return false;
                    }

                    if (MissingDependency(next, after) is { } missing)
                    {
                        blockedOn = missing;
                        blocked = true;
                        break;
                    }

                    after[client] = End(next);
                    cursors[s]++;
                    if (waitClock >= 0 && client == waitClient && End(next) > waitClock)
                    {
                        // The section below waited for exactly this clock: go back to it first.
                        waiterSatisfied = true;
                        break;
                    }
                }

                if (blocked)
                {
                    if (!bySection.TryGetValue(blockedOn, out var other) || onStack[other] || cursors[other] == sections[other].Refs.Count)
                    {
                        // Not in the update, already used up, or waiting (via the stack) on this very section.
                        return false;
                    }

                    var needed = NeededClock(refs[cursors[s]], blockedOn, after);
                    stack.Push((other, blockedOn, needed));
                    onStack[other] = true;
                    work++;
                    continue;
                }

                if (waiterSatisfied && cursors[s] < refs.Count)
                {
                    // Unfinished: it leaves the stack and may be pushed again by a later block.
                    stack.Pop();
                    onStack[s] = false;
                    work++;
                    continue;
                }

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

        foreach (var (client, ranges) in decoded.DeleteSet.Clients)
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

    /// <summary>True when the update carries no structs and no deletions beyond what <paramref name="stateVector"/> has (a no-op).</summary>
    public static bool AddsNothing(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        var decoded = UpdateDecoder.Decode(update);
        return decoded.DeleteSet.IsEmpty && StructsCovered(decoded, stateVector);
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
        var decoded = UpdateDecoder.Decode(update);
        return StructsCovered(decoded, stateVector)
            && (decoded.DeleteSet.IsEmpty || Covered(decoded.DeleteSet, UpdateDecoder.Decode(knownDeletions).DeleteSet));
    }

    private static bool StructsCovered(DecodedUpdate decoded, IReadOnlyDictionary<ulong, long> stateVector)
    {
        foreach (var section in decoded.Sections)
        {
            foreach (var item in section.Refs)
            {
                if (item is not SkipStruct && End(item) > stateVector.GetValueOrDefault(item.Client))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static long End(AbstractStruct s) => s.Clock + s.Length;

    /// <summary>The client of the first dependency (origin, right origin, parent) not yet known, or null.</summary>
    private static ulong? MissingDependency(AbstractStruct next, Dictionary<ulong, long> known)
    {
        if (next is not Item item)
        {
            return null;
        }

        if (item.HasOrigin && item.OriginClock >= known.GetValueOrDefault(item.OriginClient))
        {
            return item.OriginClient;
        }

        if (item.HasRightOrigin && item.RightOriginClock >= known.GetValueOrDefault(item.RightOriginClient))
        {
            return item.RightOriginClient;
        }

        return item.Parent is StructId parent && parent.Clock >= known.GetValueOrDefault(parent.Client) ? parent.Client : null;
    }

    /// <summary>The clock of <paramref name="client"/> that <paramref name="next"/> waits for (the same order as <see cref="MissingDependency"/>).</summary>
    private static long NeededClock(AbstractStruct next, ulong client, Dictionary<ulong, long> known)
    {
        var item = (Item)next;
        if (item.HasOrigin && item.OriginClient == client && item.OriginClock >= known.GetValueOrDefault(client))
        {
            return item.OriginClock;
        }

        if (item.HasRightOrigin && item.RightOriginClient == client && item.RightOriginClock >= known.GetValueOrDefault(client))
        {
            return item.RightOriginClock;
        }

        return ((StructId)item.Parent!).Clock;
    }

    /// <summary>The delete set of <paramref name="update"/> alone, as an update with no structs (sorted and merged).</summary>
    public static byte[] DeleteSetOf(ReadOnlySpan<byte> update) => Encode(UpdateDecoder.Decode(update).DeleteSet);

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
        var mine = UpdateDecoder.Decode(update).DeleteSet;
        return mine.IsEmpty || Covered(mine, UpdateDecoder.Decode(known).DeleteSet);
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
        var decoded = UpdateDecoder.Decode(update);
        var from = new Dictionary<ulong, long>();
        var to = new Dictionary<ulong, long>();
        foreach (var section in decoded.Sections)
        {
            if (section.Refs.Count == 0)
            {
                continue;
            }

            from[section.Client] = section.Refs[0].Clock;
            to[section.Client] = End(section.Refs[^1]);
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
