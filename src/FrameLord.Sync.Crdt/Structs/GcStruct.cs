namespace FrameLord.Sync.Crdt.Structs;

/// <summary>A garbage-collected tombstone (wire ref 0): no parent, no content, counts as deleted.</summary>
internal sealed class GcStruct : AbstractStruct
{
    public GcStruct(ulong client, long clock, long length)
    {
        Client = client;
        Clock = clock;
        Length = length;
    }

    public override bool IsDeleted => true;

    public override bool CanMergeWith(AbstractStruct right) => right is GcStruct;

    public override bool MergeWith(AbstractStruct right)
    {
        if (right is not GcStruct)
        {
            return false;
        }

        Length += right.Length;
        return true;
    }
}
