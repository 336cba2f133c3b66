namespace FrameLord.Sync.Crdt.Updates;

/// <summary>Where one struct of an update lies, without its content: kind, clocks and byte range.</summary>
internal readonly record struct ScannedStruct(ScannedKind Kind, ulong Client, long Clock, long Length, int Start, int End)
{
    public long EndClock => Clock + Length;
}
