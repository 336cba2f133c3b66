namespace FrameLord.Sync.Crdt.Updates;

/// <summary>The kind of a scanned struct.</summary>
internal enum ScannedKind : byte
{
    Gc,
    Item,
    Skip,
}
