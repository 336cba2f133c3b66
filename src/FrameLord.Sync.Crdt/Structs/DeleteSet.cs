using System.Diagnostics.CodeAnalysis;
using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Deleted clock ranges by client (a state-based CRDT). Written with clients descending and ranges ascending
/// and merged, as yjs does. The first client is kept in fields: a keystroke's deletion allocates no dictionary.
/// </summary>
internal sealed class DeleteSet
{
    private ulong _firstClient;
    private List<DeleteRange>? _firstRanges;
    private Dictionary<ulong, List<DeleteRange>>? _more;

    public bool IsEmpty => _firstRanges is null;

    public int ClientCount => _firstRanges is null ? 0 : 1 + (_more?.Count ?? 0);

    /// <summary>The clients and their ranges (first client first, then the others in insertion order).</summary>
    public ClientEntries Clients => new(this);

    public bool TryGetRanges(ulong client, [NotNullWhen(true)] out List<DeleteRange>? ranges)
    {
        if (_firstRanges is not null && _firstClient == client)
        {
            ranges = _firstRanges;
            return true;
        }

        ranges = null;
        return _more is not null && _more.TryGetValue(client, out ranges);
    }

    /// <summary>The client's range list, created (with <paramref name="capacity"/>) when missing.</summary>
    public List<DeleteRange> GetOrAddRanges(ulong client, int capacity = 4)
    {
        if (TryGetRanges(client, out var ranges))
        {
            return ranges;
        }

        ranges = new List<DeleteRange>(capacity);
        if (_firstRanges is null)
        {
            _firstClient = client;
            _firstRanges = ranges;
        }
        else
        {
            (_more ??= []).Add(client, ranges);
        }

        return ranges;
    }

    public void Add(ulong client, long clock, long length) => GetOrAddRanges(client).Add(new DeleteRange(clock, length));

    /// <summary>Sorts each client's ranges by clock and merges overlapping or adjacent ones (yjs <c>sortAndMergeDeleteSet</c>).</summary>
    public void SortAndMerge()
    {
        foreach (var (_, list) in Clients)
        {
            SortAndMerge(list);
        }
    }

    public static void SortAndMerge(List<DeleteRange> list)
    {
        if (list.Count < 2)
        {
            return;
        }

        if (!IsSorted(list))
        {
            list.Sort(static (a, b) => a.Clock.CompareTo(b.Clock));
        }

        var j = 1;
        for (var i = 1; i < list.Count; i++)
        {
            var left = list[j - 1];
            var right = list[i];
            if (left.Clock + left.Length >= right.Clock)
            {
                list[j - 1] = new DeleteRange(left.Clock, Math.Max(left.Length, right.Clock + right.Length - left.Clock));
            }
            else
            {
                list[j++] = right;
            }
        }

        list.RemoveRange(j, list.Count - j);
    }

    public bool IsDeleted(ulong client, long clock)
    {
        if (!TryGetRanges(client, out var list))
        {
            return false;
        }

        var lo = 0;
        var hi = list.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var r = list[mid];
            if (clock < r.Clock)
            {
                hi = mid - 1;
            }
            else if (clock >= r.End)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSorted(List<DeleteRange> list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i - 1].Clock > list[i].Clock)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Union of two delete sets, sorted and merged, in one linear pass per client when each side's ranges
    /// are already in clock order (as read from any encoding this library writes); otherwise sorted first.
    /// </summary>
    public static DeleteSet Union(DeleteSet a, DeleteSet b)
    {
        var merged = new DeleteSet();
        foreach (var (client, mine) in a.Clients)
        {
            if (!b.TryGetRanges(client, out var theirs))
            {
                merged.GetOrAddRanges(client, mine.Count).AddRange(mine);
                continue;
            }

            var target = merged.GetOrAddRanges(client, mine.Count + theirs.Count);
            if (!IsSorted(mine) || !IsSorted(theirs))
            {
                target.AddRange(mine);
                target.AddRange(theirs);
                continue;
            }

            int i = 0, j = 0;
            while (i < mine.Count || j < theirs.Count)
            {
                target.Add(j == theirs.Count || (i < mine.Count && mine[i].Clock <= theirs[j].Clock) ? mine[i++] : theirs[j++]);
            }
        }

        foreach (var (client, theirs) in b.Clients)
        {
            if (!a.TryGetRanges(client, out _))
            {
                merged.GetOrAddRanges(client, theirs.Count).AddRange(theirs);
            }
        }

        merged.SortAndMerge();
        return merged;
    }

    /// <summary>Union of several delete sets, sorted and merged (yjs <c>mergeDeleteSets</c>).</summary>
    public static DeleteSet Merge(IReadOnlyList<DeleteSet> sets)
    {
        var merged = new DeleteSet();
        foreach (var set in sets)
        {
            foreach (var (client, ranges) in set.Clients)
            {
                merged.GetOrAddRanges(client, ranges.Count).AddRange(ranges);
            }
        }

        merged.SortAndMerge();
        return merged;
    }

    /// <summary>The delete set of a whole store: every deleted item and GC struct, adjacent runs joined.</summary>
    public static DeleteSet FromStore(StructStore store)
    {
        var ds = new DeleteSet();
        foreach (var (client, structs) in store.Clients)
        {
            List<DeleteRange>? ranges = null;
            for (var i = 0; i < structs.Count; i++)
            {
                var s = structs[i];
                if (!s.IsDeleted)
                {
                    continue;
                }

                var clock = s.Clock;
                var length = s.Length;
                while (i + 1 < structs.Count && structs[i + 1].IsDeleted)
                {
                    length += structs[++i].Length;
                }

                (ranges ??= ds.GetOrAddRanges(client)).Add(new DeleteRange(clock, length));
            }
        }

        return ds;
    }

    /// <summary>Writes clients descending; ranges in their current order (call <see cref="SortAndMerge()"/> first where yjs does).</summary>
    public void Write(ByteWriter writer)
    {
        if (IsEmpty)
        {
            writer.WriteVarUint(0UL);
            return;
        }

        writer.WriteVarUint((ulong)ClientCount);
        var entries = new KeyValuePair<ulong, List<DeleteRange>>[ClientCount];
        var n = 0;
        foreach (var entry in Clients)
        {
            entries[n++] = entry;
        }

        Array.Sort(entries, static (a, b) => b.Key.CompareTo(a.Key));
        foreach (var (client, ranges) in entries)
        {
            writer.WriteVarUint(client);
            writer.WriteVarUint((ulong)ranges.Count);
            foreach (var range in ranges)
            {
                writer.WriteVarUint(range.Clock);
                writer.WriteVarUint(range.Length);
            }
        }
    }

    /// <summary>Reads a V1 delete set, rejecting ranges that reach past 2^53-1.</summary>
    public static DeleteSet Read(ref ByteReader reader)
    {
        var ds = new DeleteSet();
        var numClients = reader.ReadLength();
        for (var i = 0; i < numClients; i++)
        {
            var client = (ulong)reader.ReadVarUint();
            var count = reader.ReadLength();
            if (count == 0)
            {
                continue;
            }

            // Each range takes at least two bytes: never reserve more than the input can hold.
            var list = ds.GetOrAddRanges(client, Math.Min(count, reader.Remaining / 2));

            for (var j = 0; j < count; j++)
            {
                var clock = reader.ReadVarUint();
                var length = reader.ReadVarUint();
                if (clock + length > ByteReader.MaxSafeInteger)
                {
                    throw new YjsFormatException("Delete range beyond 2^53-1.");
                }

                list.Add(new DeleteRange(clock, length));
            }
        }

        return ds;
    }

    /// <summary>Allocation-free enumeration of the clients and their ranges.</summary>
    public readonly struct ClientEntries(DeleteSet set)
    {
        public Enumerator GetEnumerator() => new(set);
    }

    public struct Enumerator
    {
        private readonly DeleteSet _set;
        private Dictionary<ulong, List<DeleteRange>>.Enumerator _more;
        private int _state;

        internal Enumerator(DeleteSet set)
        {
            _set = set;
            _more = default;
            _state = 0;
            Current = default;
        }

        public KeyValuePair<ulong, List<DeleteRange>> Current { get; private set; }

        public bool MoveNext()
        {
            if (_state == 0)
            {
                _state = 1;
                if (_set._firstRanges is not null)
                {
                    Current = new KeyValuePair<ulong, List<DeleteRange>>(_set._firstClient, _set._firstRanges);
                    return true;
                }
            }

            if (_state == 1)
            {
                if (_set._more is null)
                {
                    return false;
                }

                _more = _set._more.GetEnumerator();
                _state = 2;
            }

            if (_more.MoveNext())
            {
                Current = _more.Current;
                return true;
            }

            return false;
        }
    }
}
