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
        return TryIntegrate(UpdateDecoder.Decode(update), stateVector, out after);
    }

    /// <summary>
    /// Everything a server asks of a client's update, from one decoding: whether it integrates into a
    /// document with <paramref name="stateVector"/> (see <see cref="TryIntegrate(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, out Dictionary{ulong, long})"/>),
    /// the state vector after it, whether it adds nothing to a document whose deletions are
    /// <paramref name="knownDeletions"/> (see <see cref="AddsNothing(ReadOnlySpan{byte}, IReadOnlyDictionary{ulong, long}, ReadOnlySpan{byte})"/>),
    /// and its delete set alone (see <see cref="DeleteSetOf"/>).
    /// </summary>
    public static UpdateInspection Inspect(ReadOnlySpan<byte> update, IReadOnlyDictionary<ulong, long> stateVector, ReadOnlySpan<byte> knownDeletions)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        var decoded = UpdateDecoder.Decode(update);
        var addsNothing = StructsCovered(decoded, stateVector)
            && (decoded.DeleteSet.IsEmpty || Covered(decoded.DeleteSet, UpdateDecoder.Decode(knownDeletions).DeleteSet));
        var integrates = TryIntegrate(decoded, stateVector, out var after);
        return new UpdateInspection(integrates, after, addsNothing, Encode(decoded.DeleteSet));
    }

    private static bool TryIntegrate(DecodedUpdate decoded, IReadOnlyDictionary<ulong, long> stateVector, out Dictionary<ulong, long> after)
    {
        after = new Dictionary<ulong, long>(stateVector);
        var cursors = new int[decoded.Sections.Count];

        // Sweep the sections until no struct can be added: a struct may wait for another client's.
        bool progress;
        do
        {
            progress = false;
            for (var s = 0; s < decoded.Sections.Count; s++)
            {
                var refs = decoded.Sections[s].Refs;
                while (cursors[s] < refs.Count)
                {
                    var next = refs[cursors[s]];
                    var state = after.GetValueOrDefault(next.Client);
                    if (next is SkipStruct || End(next) <= state)
                    {
                        cursors[s]++;
                        continue;
                    }

                    if (next.Clock > state || !DependenciesKnown(next, after))
                    {
                        break;
                    }

                    after[next.Client] = End(next);
                    cursors[s]++;
                    progress = true;
                }
            }
        }
        while (progress);

        for (var s = 0; s < decoded.Sections.Count; s++)
        {
            var refs = decoded.Sections[s].Refs;
            for (var i = cursors[s]; i < refs.Count; i++)
            {
                if (refs[i] is not SkipStruct && End(refs[i]) > after.GetValueOrDefault(refs[i].Client))
                {
                    return false;
                }
            }
        }

        if (!decoded.DeleteSet.IsEmpty)
        {
            foreach (var (client, ranges) in decoded.DeleteSet.Clients)
            {
                var state = after.GetValueOrDefault(client);
                foreach (var range in ranges)
                {
                    if (range.Clock + range.Length > state)
                    {
                        return false;
                    }
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

    private static bool DependenciesKnown(AbstractStruct next, Dictionary<ulong, long> known)
    {
        if (next is not Item item)
        {
            return true;
        }

        if (item.HasOrigin && item.OriginClock >= known.GetValueOrDefault(item.OriginClient))
        {
            return false;
        }

        if (item.HasRightOrigin && item.RightOriginClock >= known.GetValueOrDefault(item.RightOriginClient))
        {
            return false;
        }

        return item.Parent is not StructId parent || parent.Clock < known.GetValueOrDefault(parent.Client);
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

/// <summary>What <see cref="YUpdateInspection.Inspect"/> found.</summary>
/// <param name="Integrates">False when part of the update depends on content outside the state and the update.</param>
/// <param name="After">The state vector after integrating it.</param>
/// <param name="AddsNothing">Every struct and every deletion is already known: storing it would change nothing.</param>
/// <param name="Deletions">The update's delete set alone, as an update with no structs.</param>
public sealed record UpdateInspection(bool Integrates, Dictionary<ulong, long> After, bool AddsNothing, byte[] Deletions);
