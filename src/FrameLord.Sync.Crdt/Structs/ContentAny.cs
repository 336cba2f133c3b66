using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 8: a run of JSON-like values written with lib0 <c>writeAny</c>.</summary>
internal sealed class ContentAny(List<object?> values) : Content
{
    public List<object?> Values { get; private set; } = values;

    public override int Ref => 8;

    public override long Length => Values.Count;

    public override Content Splice(long offset)
    {
        var at = (int)offset;
        var right = new ContentAny(Values.GetRange(at, Values.Count - at));
        Values.RemoveRange(at, Values.Count - at);
        return right;
    }

    public override bool Mergeable => true;

    public override bool TryMerge(Content right)
    {
        Values.AddRange(((ContentAny)right).Values);
        return true;
    }

    public override void Write(ByteWriter writer, long offset)
    {
        writer.WriteVarUint(Values.Count - offset);
        for (var i = (int)offset; i < Values.Count; i++)
        {
            AnyCodec.Write(writer, Values[i]);
        }
    }

    public override void AppendValues(List<object?> values) => values.AddRange(Values);

    public override object? LastValue => Values[^1];
}
