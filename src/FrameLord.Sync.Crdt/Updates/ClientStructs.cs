using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>The structs of one client section of an update, in clock order, with a read cursor.</summary>
internal sealed class ClientStructs(ulong client, int capacity)
{
    public ulong Client { get; } = client;

    public List<AbstractStruct> Refs { get; } = new(capacity);

    /// <summary>The integration cursor (yjs <c>{ i, refs }</c>).</summary>
    public int Next { get; set; }
}
