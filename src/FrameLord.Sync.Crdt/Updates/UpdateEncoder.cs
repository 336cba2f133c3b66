using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>Writes a document's structs, delete sets and state vectors in the V1 format.</summary>
internal static class UpdateEncoder
{
    /// <summary>
    /// Writes every struct the target state vector lacks, one section per client, clients descending
    /// (yjs <c>writeClientsStructs</c>).
    /// </summary>
    public static void WriteClientsStructs(ByteWriter writer, StructStore store, Dictionary<ulong, long> target)
    {
        var clients = new List<(ulong Client, long Clock)>();
        foreach (var (client, list) in store.Clients)
        {
            var from = target.TryGetValue(client, out var clock) ? clock : 0;
            if (list.State > from)
            {
                clients.Add((client, from));
            }
        }

        writer.WriteVarUint((ulong)clients.Count);
        clients.Sort(static (a, b) => b.Client.CompareTo(a.Client));
        foreach (var (client, clock) in clients)
        {
            WriteStructs(writer, store.Clients[client], client, clock);
        }
    }

    private static void WriteStructs(ByteWriter writer, StructList structs, ulong client, long clock)
    {
        clock = Math.Max(clock, structs[0].Clock);
        var start = structs.FindIndex(clock);
        writer.WriteVarUint((ulong)(structs.Count - start));
        writer.WriteVarUint(client);
        writer.WriteVarUint(clock);
        var first = structs[start];
        WriteStruct(writer, first, clock - first.Clock);
        for (var i = start + 1; i < structs.Count; i++)
        {
            WriteStruct(writer, structs[i], 0);
        }
    }

    public static void WriteStruct(ByteWriter writer, AbstractStruct s, long offset)
    {
        switch (s)
        {
            case Item item:
                item.Write(writer, offset);
                break;
            case GcStruct:
                writer.WriteByte(0);
                writer.WriteVarUint(s.Length - offset);
                break;
            case SkipStruct:
                writer.WriteByte(10);
                writer.WriteVarUint(s.Length - offset);
                break;
        }
    }

    /// <summary>The update of one transaction (its new structs and its deletions), or null when it changed nothing.</summary>
    public static byte[]? EncodeTransaction(Transaction transaction)
    {
        if (!transaction.HasDeletes && transaction.Changes.Count == 0)
        {
            return null;
        }

        using var writer = new ByteWriter();
        transaction.DeleteSet.SortAndMerge();
        var clients = new List<(ulong Client, long Before, long After)>(transaction.Changes);
        clients.Sort(static (a, b) => b.Client.CompareTo(a.Client));
        writer.WriteVarUint((ulong)clients.Count);
        foreach (var (client, before, _) in clients)
        {
            WriteStructs(writer, transaction.Doc.Store.Clients[client], client, before);
        }

        transaction.DeleteSet.Write(writer);
        return writer.ToArray();
    }

    public static void WriteStateVector(ByteWriter writer, Dictionary<ulong, long> sv)
    {
        writer.WriteVarUint((ulong)sv.Count);
        var clients = new ulong[sv.Count];
        sv.Keys.CopyTo(clients, 0);
        Array.Sort(clients);
        for (var i = clients.Length - 1; i >= 0; i--)
        {
            writer.WriteVarUint(clients[i]);
            writer.WriteVarUint(sv[clients[i]]);
        }
    }

    public static byte[] EncodeStateVector(Dictionary<ulong, long> sv)
    {
        using var writer = new ByteWriter(16 + (sv.Count * 12));
        WriteStateVector(writer, sv);
        return writer.ToArray();
    }

    /// <summary>Decodes a state vector; an empty span means "nothing" (an empty vector).</summary>
    public static Dictionary<ulong, long> DecodeStateVector(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return [];
        }

        var reader = new ByteReader(bytes);
        var count = reader.ReadLength();

        // Sized once (an entry takes at least two bytes, so the count reserves nothing beyond the input).
        var sv = new Dictionary<ulong, long>(Math.Min(count, reader.Remaining / 2));
        for (var i = 0; i < count; i++)
        {
            var client = (ulong)reader.ReadVarUint();
            sv[client] = reader.ReadVarUint();
        }

        return sv;
    }
}
