namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Structs that wait for missing dependencies: the lowest missing clock per client and the structs as a V1 update.</summary>
internal sealed class PendingStructs(Dictionary<ulong, long> missing, byte[] update)
{
    public Dictionary<ulong, long> Missing { get; } = missing;

    public byte[] Update { get; set; } = update;
}
