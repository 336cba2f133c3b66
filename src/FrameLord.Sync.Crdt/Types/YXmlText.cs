namespace FrameLord.Sync.Crdt.Types;

/// <summary>XML text (type ref 6): rich text inside an XML fragment; behaves as <see cref="YText"/>.</summary>
public sealed class YXmlText : YText
{
    internal override int TypeRef => 6;
}
