using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>Content ref 5: an embed in text (an image, a mention...), written as JSON text. Length 1.</summary>
internal sealed class ContentEmbed(object? value) : Content
{
    public object? Value { get; } = value;

    public override int Ref => 5;

    public override long Length => 1;

    public override void Write(ByteWriter writer, long offset) => writer.WriteString(JsonText.Stringify(Value));

    public override void AppendValues(List<object?> values) => values.Add(Value);

    public override object? LastValue => Value;
}
