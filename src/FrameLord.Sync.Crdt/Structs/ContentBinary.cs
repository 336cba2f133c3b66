using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 3: one byte array (a Uint8Array in JavaScript). Length 1.</summary>
internal sealed class ContentBinary(byte[] bytes) : Content
{
    public byte[] Bytes { get; } = bytes;

    public override int Ref => 3;

    public override long Length => 1;

    public override void Write(ByteWriter writer, long offset) => writer.WriteVarBytes(Bytes);

    public override void AppendValues(List<object?> values) => values.Add(Bytes);

    public override object? LastValue => Bytes;
}
