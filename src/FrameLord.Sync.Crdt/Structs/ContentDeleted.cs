using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Content ref 1: the content of a deleted item was dropped. Stateless and shared: the length is the
/// item's own <see cref="AbstractStruct.Length"/> (this saves an object per tombstone).
/// </summary>
internal sealed class ContentDeleted : Content
{
    private ContentDeleted()
    {
    }

    public static ContentDeleted Instance { get; } = new();

    public override int Ref => 1;

    /// <summary>Not stored here: use the item's length.</summary>
    public override long Length => throw new InvalidOperationException("A deleted content's length is its item's length.");

    public override bool Countable => false;

    public override Content Splice(long offset) => this;

    public override bool Mergeable => true;

    public override bool TryMerge(Content right) => true;

    public override void Integrate(Transaction transaction, Item item)
    {
        transaction.DeleteSet.Add(item.Client, item.Clock, item.Length);
        item.MarkDeleted();
    }

    /// <summary>Written by <see cref="Item.Write"/>, which knows the length.</summary>
    public override void Write(ByteWriter writer, long offset) => throw new InvalidOperationException("Deleted content is written by its item.");

    public override void AppendValues(List<object?> values)
    {
    }
}
