using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>The structs of one client section of an update, in clock order, with a read cursor.</summary>
internal sealed class ClientStructs(ulong client, int capacity)
{
    public ulong Client { get; } = client;

    public List<AbstractStruct> Refs { get; } = new(capacity);

    /// <summary>Byte range of each struct in the input (start offsets; the end is the next start), for raw copies.</summary>
    public List<int> Offsets { get; } = new(capacity);

    /// <summary>Where the last struct of the section ends in the input.</summary>
    public int EndOffset { get; set; }

    /// <summary>The integration cursor (yjs <c>{ i, refs }</c>).</summary>
    public int Next { get; set; }
}
