using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Deleted clock ranges by client (a state-based CRDT). Written with clients descending and ranges ascending
/// and merged, as yjs does.
/// </summary>
internal sealed class DeleteSet
{
    private Dictionary<ulong, List<DeleteRange>>? _clients;

    public Dictionary<ulong, List<DeleteRange>> Clients => _clients ??= [];

    public bool IsEmpty => _clients is null || _clients.Count == 0;

    public void Add(ulong client, long clock, long length)
    {
        if (!Clients.TryGetValue(client, out var list))
        {
            list = [];
            Clients.Add(client, list);
        }

        list.Add(new DeleteRange(clock, length));
    }

    /// <summary>Sorts each client's ranges by clock and merges overlapping or adjacent ones (yjs <c>sortAndMergeDeleteSet</c>).</summary>
    public void SortAndMerge()
    {
        if (_clients is null)
        {
            return;
        }

        foreach (var list in _clients.Values)
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

        list.Sort(static (a, b) => a.Clock.CompareTo(b.Clock));
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
        if (_clients is null || !_clients.TryGetValue(client, out var list))
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

    /// <summary>Union of several delete sets, sorted and merged (yjs <c>mergeDeleteSets</c>).</summary>
    public static DeleteSet Merge(IReadOnlyList<DeleteSet> sets)
    {
        var merged = new DeleteSet();
        foreach (var set in sets)
        {
            foreach (var (client, ranges) in set.Clients)
            {
                if (!merged.Clients.TryGetValue(client, out var list))
                {
                    list = [];
                    merged.Clients.Add(client, list);
                }

                list.AddRange(ranges);
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

                (ranges ??= []).Add(new DeleteRange(clock, length));
            }

            if (ranges is not null)
            {
                ds.Clients.Add(client, ranges);
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

        writer.WriteVarUint((ulong)Clients.Count);

        var clients = new ulong[Clients.Count];
        Clients.Keys.CopyTo(clients, 0);
        Array.Sort(clients);
        for (var c = clients.Length - 1; c >= 0; c--)
        {
            var client = clients[c];
            var ranges = Clients[client];
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

            if (!ds.Clients.TryGetValue(client, out var list))
            {
                // Each range takes at least two bytes: never reserve more than the input can hold.
                list = new List<DeleteRange>(Math.Min(count, reader.Remaining / 2));
                ds.Clients.Add(client, list);
            }

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
}
