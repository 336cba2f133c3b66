using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// The state vector after an update, as the integrability check leaves it: the document's vector and, per
/// section of the update, its client's clock. A section's client is in the result when the document knew it
/// or the section advanced it.
/// </summary>
internal sealed class AfterState(ScannedUpdate scanned, IReadOnlyDictionary<ulong, long> stateVector, long[] clocks)
{
    public Dictionary<ulong, long> ToDictionary()
    {
        var after = new Dictionary<ulong, long>(stateVector.Count + scanned.SectionCount);
        foreach (var (client, clock) in stateVector)
        {
            after[client] = clock;
        }

        for (var s = 0; s < scanned.SectionCount; s++)
        {
            if (clocks[s] > 0 || stateVector.ContainsKey(scanned.Clients[s]))
            {
                after[scanned.Clients[s]] = clocks[s];
            }
        }

        return after;
    }

    /// <summary>
    /// The state vector's bytes, clients descending: the document's clients (sorted) and the update's (in
    /// order already) merged in one pass.
    /// </summary>
    public byte[] Encode()
    {
        var known = new ulong[stateVector.Count];
        var k = 0;
        foreach (var (client, _) in stateVector)
        {
            known[k++] = client;
        }

        Array.Sort(known);
        var sections = SectionsByClientDescending();
        var count = known.Length;
        foreach (var s in sections)
        {
            if (clocks[s] > 0 && !stateVector.ContainsKey(scanned.Clients[s]))
            {
                count++;
            }
        }

        using var writer = new ByteWriter(16 + (count * 12));
        writer.WriteVarUint((ulong)count);
        var i = known.Length - 1;
        foreach (var s in sections)
        {
            var client = scanned.Clients[s];
            for (; i >= 0 && known[i] > client; i--)
            {
                writer.WriteVarUint(known[i]);
                writer.WriteVarUint(stateVector[known[i]]);
            }

            var isKnown = i >= 0 && known[i] == client;
            if (isKnown || clocks[s] > 0)
            {
                writer.WriteVarUint(client);
                writer.WriteVarUint(clocks[s]);
            }

            if (isKnown)
            {
                i--;
            }
        }

        for (; i >= 0; i--)
        {
            writer.WriteVarUint(known[i]);
            writer.WriteVarUint(stateVector[known[i]]);
        }

        return writer.ToArray();
    }

    /// <summary>The sections by client descending: as they come when the update lists them so (as updates are written), else sorted.</summary>
    private int[] SectionsByClientDescending()
    {
        var count = scanned.SectionCount;
        var clients = scanned.Clients;
        var order = new int[count];
        var descending = true;
        var ascending = true;
        for (var s = 1; s < count && (descending || ascending); s++)
        {
            descending &= clients[s] < clients[s - 1];
            ascending &= clients[s] > clients[s - 1];
        }

        for (var s = 0; s < count; s++)
        {
            order[s] = descending || !ascending ? s : count - 1 - s;
        }

        if (!descending && !ascending)
        {
            var keys = new ulong[count];
            Array.Copy(clients, keys, count);
            Array.Sort(keys, order);
            Array.Reverse(order);
        }

        return order;
    }
}
