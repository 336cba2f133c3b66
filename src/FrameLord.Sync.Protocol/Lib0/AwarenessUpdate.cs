namespace FrameLord.Sync.Protocol.Lib0;

/// <summary>One client's entry in a y-protocols awareness update; <see cref="State"/> is JSON, <c>null</c> when it left.</summary>
public readonly record struct AwarenessEntry(ulong ClientId, ulong Clock, string State)
{
    public bool Removed => State == "null";
}

/// <summary>
/// The y-protocols 1.0.7 awareness update: varUint count, then per client varUint id, varUint clock and
/// varString JSON state. The server only reads ids, clocks and whether a state is null, and never stores them; the SDK keeps the states.
/// </summary>
public static class AwarenessUpdate
{
    public static List<AwarenessEntry> Decode(ReadOnlySpan<byte> update)
    {
        var reader = new Lib0Reader(update);
        var count = reader.ReadVarUint();
        // Each entry takes at least three bytes, so a count beyond that is a lie told to make us allocate.
        if (count > (ulong)update.Length / 3)
        {
            throw new Lib0FormatException("The awareness update counts more clients than it holds.");
        }

        var entries = new List<AwarenessEntry>((int)count);
        for (ulong i = 0; i < count; i++)
        {
            entries.Add(new AwarenessEntry(reader.ReadVarUint(), reader.ReadVarUint(), reader.ReadVarString()));
        }

        return entries;
    }

    public static byte[] Encode(IReadOnlyCollection<AwarenessEntry> entries)
    {
        var writer = new Lib0Writer(16 + (entries.Count * 32)).VarUint((ulong)entries.Count);
        foreach (var entry in entries)
        {
            writer.VarUint(entry.ClientId).VarUint(entry.Clock).VarString(entry.State);
        }

        return writer.ToArray();
    }
}
