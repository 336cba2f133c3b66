using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates.V2;

/// <summary>
/// A delete set in the V2 encoding (yjs <c>DSEncoderV2</c>): clients descending, each range as the distance from
/// the end of the previous one and its length minus one.
/// </summary>
internal static class DeleteSetV2
{
    public static void Write(ByteWriter writer, DeleteSet ds)
    {
        var entries = new List<KeyValuePair<ulong, List<DeleteRange>>>();
        foreach (var entry in ds.Clients)
        {
            entries.Add(entry);
        }

        entries.Sort(static (a, b) => b.Key.CompareTo(a.Key));
        writer.WriteVarUint((ulong)entries.Count);
        foreach (var (client, ranges) in entries)
        {
            long current = 0;
            writer.WriteVarUint(client);
            writer.WriteVarUint((ulong)ranges.Count);
            foreach (var range in ranges)
            {
                if (range.Length == 0 || range.Clock < current)
                {
                    throw new YjsFormatException("A delete range that the V2 format cannot hold.");
                }

                writer.WriteVarUint(range.Clock - current);
                writer.WriteVarUint(range.Length - 1);
                current = range.Clock + range.Length;
            }
        }
    }

    public static DeleteSet Read(ref ByteReader reader)
    {
        var ds = new DeleteSet();
        var clients = reader.ReadLength();
        for (var i = 0; i < clients; i++)
        {
            long current = 0;
            var client = (ulong)reader.ReadVarUint();
            var count = reader.ReadLength();
            if (count == 0)
            {
                continue;
            }

            var list = ds.GetOrAddRanges(client, Math.Min(count, reader.Remaining / 2));
            for (var j = 0; j < count; j++)
            {
                var clock = current + reader.ReadVarUint();
                var length = reader.ReadVarUint() + 1;
                if (clock > ByteReader.MaxSafeInteger - length)
                {
                    throw new YjsFormatException("Delete range beyond 2^53-1.");
                }

                list.Add(new DeleteRange(clock, length));
                current = clock + length;
            }
        }

        return ds;
    }
}
