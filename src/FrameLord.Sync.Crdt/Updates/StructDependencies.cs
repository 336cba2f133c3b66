namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// What one scanned struct names and so needs known before it integrates: its origin, right origin and
/// parent struct (a clock of -1: none). Only items name any; GC and skip structs have none.
/// </summary>
internal readonly record struct StructDependencies(
    ulong OriginClient, long OriginClock, ulong RightOriginClient, long RightOriginClock, ulong ParentClient, long ParentClock)
{
    public static readonly StructDependencies None = new(0, -1, 0, -1, 0, -1);
}
