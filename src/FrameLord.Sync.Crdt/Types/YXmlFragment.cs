
namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// An XML fragment (type ref 4): a list of XML elements and texts. It is decoded, kept and re-encoded
/// faithfully so documents from XML-based editors survive a round trip; its editing API is minimal.
/// </summary>
public class YXmlFragment : AbstractType
{
    /// <summary>Creates an empty fragment.</summary>
    public YXmlFragment()
    {
        Markers = [];
    }

    internal override int TypeRef => 4;

    /// <summary>Number of children.</summary>
    public int Length => (int)LengthInternal;

    /// <summary>The children (elements, texts, hooks).</summary>
    public List<object?> ToArray() => ListToArray();

    /// <summary>The children as JSON.</summary>
    public override object? ToJson() => ListToArray().Select(static v => v is AbstractType t ? t.ToJson() : v).ToList();
}
