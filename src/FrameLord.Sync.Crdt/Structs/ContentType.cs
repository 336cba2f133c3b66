using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 7: a nested shared type (YArray, YMap, YText or an XML type). Length 1.</summary>
internal sealed class ContentType(AbstractType type) : Content
{
    public AbstractType Type { get; } = type;

    public override int Ref => 7;

    public override long Length => 1;

    public override void Write(ByteWriter writer, long offset) => Type.WriteTypeRef(writer);

    public override void Integrate(Transaction transaction, Item item) => Type.Integrate(transaction.Doc, item);

    public override void Delete(Transaction transaction)
    {
        // Children are deleted by the caller's work list so deep nesting cannot overflow the stack.
        transaction.RemoveChanged(Type);
    }

    public override void AppendValues(List<object?> values) => values.Add(Type);

    public override object? LastValue => Type;
}
