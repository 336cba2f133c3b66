using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Content ref 9: a subdocument reference (guid and options). It is kept and re-encoded faithfully; loading
/// subdocuments is not supported. Length 1.
/// </summary>
internal sealed class ContentDoc(string guid, object? options) : Content
{
    public string Guid { get; } = guid;

    public object? Options { get; } = options;

    public override int Ref => 9;

    public override long Length => 1;

    public override void Write(ByteWriter writer, long offset)
    {
        writer.WriteString(Guid);
        AnyCodec.Write(writer, Options);
    }

    public override void AppendValues(List<object?> values) => values.Add(new YSubdocReference(Guid, Options));

    public override object? LastValue => new YSubdocReference(Guid, Options);
}
