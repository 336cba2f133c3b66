using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// A cached (item, index) pair that speeds up index lookups in lists and text (yjs <c>ArraySearchMarker</c>).
/// Where a lookup starts changes which neighbours a local insert records as its origins, so the markers follow
/// the yjs algorithm exactly: that is what keeps encodings byte-identical.
/// </summary>
internal sealed class SearchMarker(Item item, long index, long timestamp)
{
    public Item Item { get; set; } = item;

    public long Index { get; set; } = index;

    public long Timestamp { get; set; } = timestamp;
}
