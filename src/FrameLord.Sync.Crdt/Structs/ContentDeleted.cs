using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 1: the content of a deleted item was dropped; only its length remains.</summary>
internal sealed class ContentDeleted(long length) : Content
{
    private long _length = length;

    public override int Ref => 1;

    public override long Length => _length;

    public override bool Countable => false;

    public override Content Splice(long offset)
    {
        var right = new ContentDeleted(_length - offset);
        _length = offset;
        return right;
    }

    public override bool TryMerge(Content right)
    {
        _length += ((ContentDeleted)right)._length;
        return true;
    }

    public override void Integrate(Transaction transaction, Item item)
    {
        transaction.DeleteSet.Add(item.Client, item.Clock, _length);
        item.MarkDeleted();
    }

    public override void Write(ByteWriter writer, long offset) => writer.WriteVarUint(_length - offset);

    public override void AppendValues(List<object?> values)
    {
    }
}
