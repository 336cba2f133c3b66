using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>An XML element (type ref 3): a node name, attributes (map entries) and children.</summary>
public sealed class YXmlElement : YXmlFragment
{
    /// <summary>Creates an element named <paramref name="nodeName"/>.</summary>
    public YXmlElement(string nodeName)
    {
        NodeName = nodeName;
    }

    /// <summary>The element's tag name.</summary>
    public string NodeName { get; }

    internal override int TypeRef => 3;

    internal override void WriteTypeRef(ByteWriter writer)
    {
        writer.WriteVarUint(3UL);
        writer.WriteString(NodeName);
    }

    /// <summary>The attributes (string keys, JSON-like values).</summary>
    public IReadOnlyDictionary<string, object?> Attributes => MapEntries().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>Node name, attributes and children.</summary>
    public override object? ToJson() => new Dictionary<string, object?>
    {
        ["nodeName"] = NodeName,
        ["attributes"] = Attributes,
        ["children"] = base.ToJson(),
    };
}
