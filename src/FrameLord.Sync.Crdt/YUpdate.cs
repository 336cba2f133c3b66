using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// Functions on Yjs v1 updates that need no document (yjs <c>mergeUpdates</c>, <c>diffUpdate</c>,
/// <c>encodeStateVectorFromUpdate</c>). Their output is byte-identical to yjs 13.6 for well-formed input. Every
/// function checks its input fully and throws <see cref="YjsFormatException"/> on malformed bytes.
/// </summary>
public static class YUpdate
{
    /// <summary>The empty update: no structs, no deletions (<c>00 00</c>).</summary>
    public static ReadOnlySpan<byte> Empty => [0, 0];

    /// <summary>
    /// Decodes <paramref name="update"/> completely without a document and throws
    /// <see cref="YjsFormatException"/> on anything malformed. Bytes after the delete set are ignored, as yjs does.
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> update) => UpdateDecoder.Decode(update);

    /// <summary>
    /// Merges updates into one that holds all their structs and deletions (yjs <c>mergeUpdates</c>). Gaps
    /// between the structs of a client become Skip structs; adjacent GC structs are joined. A single update is
    /// returned as a copy of itself.
    /// </summary>
    /// <param name="updates">V1 updates; none may be null.</param>
    public static byte[] MergeUpdates(IReadOnlyList<byte[]> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return Empty.ToArray();
        }

        var decoded = new DecodedUpdate[updates.Count];
        for (var i = 0; i < updates.Count; i++)
        {
            decoded[i] = UpdateDecoder.Decode(updates[i]);
        }

        if (updates.Count == 1)
        {
            return (byte[])updates[0].Clone();
        }

        return Merge(decoded);
    }

    internal static byte[] Merge(IReadOnlyList<DecodedUpdate> decoded)
    {
        var readers = new List<LazyStructReader>(decoded.Count);
        foreach (var d in decoded)
        {
            readers.Add(new LazyStructReader(d, filterSkips: true));
        }

        using var structWriter = new LazyStructWriter();
        AbstractStruct? currWrite = null;
        while (true)
        {
            readers.RemoveAll(static r => r.Current is null);
            SortReaders(readers);
            if (readers.Count == 0)
            {
                break;
            }

            var currDecoder = readers[0];
            var firstClient = currDecoder.Current!.Client;
            if (currWrite is not null)
            {
                var curr = currDecoder.Current;
                var iterated = false;
                // Skip what was already written (higher clients are written first).
                while (curr is not null && curr.Clock + curr.Length <= currWrite.Clock + currWrite.Length && curr.Client >= currWrite.Client)
                {
                    curr = currDecoder.Next();
                    iterated = true;
                }

                if (curr is null || curr.Client != firstClient || (iterated && curr.Clock > currWrite.Clock + currWrite.Length))
                {
                    continue;
                }

                if (firstClient != currWrite.Client)
                {
                    structWriter.Write(currWrite, 0);
                    currWrite = curr;
                    currDecoder.Next();
                }
                else if (currWrite.Clock + currWrite.Length < curr.Clock)
                {
                    if (currWrite is SkipStruct)
                    {
                        currWrite.Length = curr.Clock + curr.Length - currWrite.Clock;
                    }
                    else
                    {
                        structWriter.Write(currWrite, 0);
                        var gap = curr.Clock - currWrite.Clock - currWrite.Length;
                        currWrite = new SkipStruct(firstClient, currWrite.Clock + currWrite.Length, gap);
                    }
                }
                else
                {
                    var diff = currWrite.Clock + currWrite.Length - curr.Clock;
                    if (diff > 0)
                    {
                        if (currWrite is SkipStruct)
                        {
                            // Prefer slicing the Skip: the other struct carries more information.
                            currWrite.Length -= diff;
                        }
                        else
                        {
                            curr = SliceStruct(curr, diff);
                        }
                    }

                    if (!currWrite.MergeWith(curr))
                    {
                        structWriter.Write(currWrite, 0);
                        currWrite = curr;
                        currDecoder.Next();
                    }
                }
            }
            else
            {
                currWrite = currDecoder.Current;
                currDecoder.Next();
            }

            for (var next = currDecoder.Current;
                 next is not null && next.Client == firstClient && next.Clock == currWrite.Clock + currWrite.Length && next is not SkipStruct;
                 next = currDecoder.Next())
            {
                structWriter.Write(currWrite, 0);
                currWrite = next;
            }
        }

        if (currWrite is not null)
        {
            structWriter.Write(currWrite, 0);
        }

        using var output = new ByteWriter(1024);
        structWriter.Finish(output);
        var sets = new DeleteSet[decoded.Count];
        for (var i = 0; i < decoded.Count; i++)
        {
            sets[i] = decoded[i].DeleteSet;
        }

        DeleteSet.Merge(sets).Write(output);
        return output.ToArray();
    }

    /// <summary>Stable insertion sort: client descending, clock ascending, non-Skip before Skip (as yjs sorts).</summary>
    private static void SortReaders(List<LazyStructReader> readers)
    {
        for (var i = 1; i < readers.Count; i++)
        {
            var x = readers[i];
            var j = i - 1;
            while (j >= 0 && Compare(readers[j].Current!, x.Current!) > 0)
            {
                readers[j + 1] = readers[j];
                j--;
            }

            readers[j + 1] = x;
        }

        static int Compare(AbstractStruct a, AbstractStruct b)
        {
            if (a.Client == b.Client)
            {
                var clockDiff = a.Clock.CompareTo(b.Clock);
                if (clockDiff != 0)
                {
                    return clockDiff;
                }

                return a.GetType() == b.GetType() ? 0 : a is SkipStruct ? 1 : -1;
            }

            return b.Client.CompareTo(a.Client);
        }
    }

    private static AbstractStruct SliceStruct(AbstractStruct left, long diff)
    {
        switch (left)
        {
            case GcStruct:
                return new GcStruct(left.Client, left.Clock + diff, left.Length - diff);
            case SkipStruct:
                return new SkipStruct(left.Client, left.Clock + diff, left.Length - diff);
            default:
                var item = (Item)left;
                var slice = new Item(item.Client, item.Clock + diff, item.Parent, item.ParentSub, item.Content.Splice(diff), item.Length - diff);
                slice.SetOrigin(item.Client, item.Clock + diff - 1);
                if (item.HasRightOrigin)
                {
                    slice.SetRightOrigin(item.RightOriginClient, item.RightOriginClock);
                }

                return slice;
        }
    }

    /// <summary>
    /// The part of <paramref name="update"/> that a replica with <paramref name="stateVector"/> lacks (yjs
    /// <c>diffUpdate</c>): per client, the structs from its clock on (the first one cut at the clock). The
    /// delete set is always included whole. Structs after the first of each client are copied verbatim.
    /// </summary>
    /// <param name="update">A V1 update, for example a document snapshot.</param>
    /// <param name="stateVector">An encoded state vector; empty means "has nothing".</param>
    public static byte[] DiffUpdate(ReadOnlySpan<byte> update, ReadOnlySpan<byte> stateVector)
    {
        var state = DecodeStateVectorInternal(stateVector);
        return Diff(update, state);
    }

    internal static byte[] Diff(ReadOnlySpan<byte> update, Dictionary<ulong, long> state)
    {
        var (structs, deleteSet) = UpdateScanner.Scan(update);
        using var structWriter = new LazyStructWriter();
        var i = 0;
        while (i < structs.Count)
        {
            var curr = structs[i];
            var client = curr.Client;
            var svClock = state.TryGetValue(client, out var c) ? c : 0;
            if (curr.Kind == ScannedKind.Skip)
            {
                // A section must not start with a Skip.
                i++;
                continue;
            }

            if (curr.EndClock > svClock)
            {
                WriteScanned(structWriter, update, curr, Math.Max(svClock - curr.Clock, 0));
                i++;
                while (i < structs.Count && structs[i].Client == client)
                {
                    WriteScanned(structWriter, update, structs[i], 0);
                    i++;
                }
            }
            else
            {
                while (i < structs.Count && structs[i].Client == client && structs[i].EndClock <= svClock)
                {
                    i++;
                }
            }
        }

        using var output = new ByteWriter(Math.Max(64, update.Length));
        structWriter.Finish(output);
        deleteSet.Write(output);
        return output.ToArray();
    }

    /// <summary>Copies a struct's bytes, or decodes and re-encodes it when it must start <paramref name="offset"/> clocks in.</summary>
    private static void WriteScanned(LazyStructWriter writer, ReadOnlySpan<byte> update, ScannedStruct s, long offset)
    {
        var bytes = update[s.Start..s.End];
        if (offset == 0)
        {
            writer.Write(s.Client, s.Clock, bytes);
            return;
        }

        AbstractStruct full = s.Kind switch
        {
            ScannedKind.Gc => new GcStruct(s.Client, s.Clock, s.Length),
            ScannedKind.Skip => new SkipStruct(s.Client, s.Clock, s.Length),
            _ => UpdateDecoder.DecodeStruct(bytes, s.Client, s.Clock),
        };
        writer.Write(full, offset);
    }

    /// <summary>
    /// The state vector that <paramref name="update"/> alone would give a new document (yjs
    /// <c>encodeStateVectorFromUpdate</c>): for each client whose structs start at clock 0, the end of the
    /// contiguous run before the first Skip.
    /// </summary>
    public static byte[] EncodeStateVectorFromUpdate(ReadOnlySpan<byte> update)
    {
        var (structs, _) = UpdateScanner.Scan(update);
        var entries = new List<(ulong Client, long Clock)>();
        if (structs.Count > 0)
        {
            var first = structs[0];
            var currClient = first.Client;
            var stopCounting = first.Clock != 0;
            var currClock = stopCounting ? 0 : first.EndClock;
            foreach (var curr in structs)
            {
                if (currClient != curr.Client)
                {
                    if (currClock != 0)
                    {
                        entries.Add((currClient, currClock));
                    }

                    currClient = curr.Client;
                    currClock = 0;
                    stopCounting = curr.Clock != 0;
                }

                if (curr.Kind == ScannedKind.Skip)
                {
                    stopCounting = true;
                }

                if (!stopCounting)
                {
                    currClock = curr.EndClock;
                }
            }

            if (currClock != 0)
            {
                entries.Add((currClient, currClock));
            }
        }

        using var writer = new ByteWriter(16 + (entries.Count * 12));
        writer.WriteVarUint((ulong)entries.Count);
        foreach (var (client, clock) in entries)
        {
            writer.WriteVarUint(client);
            writer.WriteVarUint(clock);
        }

        return writer.ToArray();
    }

    /// <summary>Decodes an encoded state vector into client → next expected clock. Empty input is the empty vector.</summary>
    public static IReadOnlyDictionary<ulong, long> DecodeStateVector(ReadOnlySpan<byte> stateVector) => DecodeStateVectorInternal(stateVector);

    /// <summary>Encodes client → next expected clock as a state vector (clients descending, as yjs writes them).</summary>
    public static byte[] EncodeStateVector(IReadOnlyDictionary<ulong, long> stateVector)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        return UpdateEncoder.EncodeStateVector(new Dictionary<ulong, long>(stateVector));
    }

    internal static Dictionary<ulong, long> DecodeStateVectorInternal(ReadOnlySpan<byte> stateVector) => UpdateEncoder.DecodeStateVector(stateVector);
}
