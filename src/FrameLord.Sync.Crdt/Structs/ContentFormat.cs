using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 6: a formatting mark in text (<c>key</c> set to <c>value</c>, null ends it). Not countable.</summary>
internal sealed class ContentFormat(string key, object? value) : Content
{
    public string Key { get; } = key;

    public object? Value { get; } = value;

    public override int Ref => 6;

    public override long Length => 1;

    public override bool Countable => false;

    public override void Integrate(Transaction transaction, Item item)
    {
        // Search markers are not maintained for rich text (as in yjs): formats switch them off for good.
        var parent = (AbstractType)item.Parent!;
        parent.Markers = null;
        if (parent is YText text)
        {
            text.HasFormatting = true;
        }
    }

    public override void Write(ByteWriter writer, long offset)
    {
        writer.WriteString(Key);
        writer.WriteString(JsonText.Stringify(Value));
    }

    public override void AppendValues(List<object?> values)
    {
    }
}
