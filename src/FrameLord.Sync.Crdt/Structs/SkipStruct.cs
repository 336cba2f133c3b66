namespace FrameLord.Sync.Crdt.Structs;

/// <summary>A hole in a merged or diffed update (wire ref 10): "these clocks are not here". Never integrated.</summary>
internal sealed class SkipStruct : AbstractStruct
{
    public SkipStruct(ulong client, long clock, long length)
    {
        Client = client;
        Clock = clock;
        Length = length;
    }

    public override bool IsDeleted => true;

    public override bool MergeWith(AbstractStruct right)
    {
        if (right is not SkipStruct)
        {
            return false;
        }

        Length += right.Length;
        return true;
    }
}
