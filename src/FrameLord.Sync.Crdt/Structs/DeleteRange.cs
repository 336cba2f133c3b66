namespace FrameLord.Sync.Crdt.Structs;

/// <summary>A deleted range of one client's clocks: <c>[Clock, Clock + Length)</c>.</summary>
internal readonly record struct DeleteRange(long Clock, long Length)
{
    public long End => Clock + Length;
}
