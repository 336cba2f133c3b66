using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 2 (legacy): values written as JSON text, one string each (<c>undefined</c> allowed).</summary>
internal sealed class ContentJson(List<object?> values) : Content
{
    public List<object?> Values { get; } = values;

    public override int Ref => 2;

    public override long Length => Values.Count;

    public override Content Splice(long offset)
    {
        var at = (int)offset;
        var right = new ContentJson(Values.GetRange(at, Values.Count - at));
        Values.RemoveRange(at, Values.Count - at);
        return right;
    }

    public override bool Mergeable => true;

    public override bool TryMerge(Content right)
    {
        Values.AddRange(((ContentJson)right).Values);
        return true;
    }

    public override void Write(ByteWriter writer, long offset)
    {
        writer.WriteVarUint(Values.Count - offset);
        for (var i = (int)offset; i < Values.Count; i++)
        {
            writer.WriteString(JsonText.Stringify(Values[i]));
        }
    }

    public override void AppendValues(List<object?> values) => values.AddRange(Values);

    public override object? LastValue => Values[^1];
}
