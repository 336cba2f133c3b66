using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

public static partial class YUpdate
{
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
            SortSections(d.Sections);
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
        var sets = new List<DeleteSet>(decoded.Count);
        foreach (var d in decoded)
        {
            if (!d.DeleteSet.IsEmpty)
            {
                sets.Add(d.DeleteSet);
            }
        }

        if (sets.Count == 1)
        {
            // One update brings every deletion (a snapshot answered with a client's delete set): its own set,
            // sorted and merged, is the union; no copy of a list that may hold millions of ranges.
            sets[0].SortAndMerge();
            sets[0].Write(output);
        }
        else
        {
            DeleteSet.Merge(sets).Write(output);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Puts sections in the order yjs writes them (client descending), which the merge relies on: a
    /// lower client met after a higher one is taken for something already written and dropped. An update
    /// from elsewhere may list its sections in any order.
    /// </summary>
    private static void SortSections(List<ClientStructs> sections)
    {
        for (var i = 1; i < sections.Count; i++)
        {
            if (sections[i - 1].Client < sections[i].Client)
            {
                sections.Sort(static (a, b) => b.Client.CompareTo(a.Client));
                return;
            }
        }
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
}
