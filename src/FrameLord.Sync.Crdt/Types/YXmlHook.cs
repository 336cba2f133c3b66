using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>An XML hook (type ref 5): a named map used by editors for custom nodes.</summary>
public sealed class YXmlHook : AbstractType
{
    /// <summary>Creates a hook named <paramref name="hookName"/>.</summary>
    public YXmlHook(string hookName)
    {
        HookName = hookName;
    }

    /// <summary>The hook's name.</summary>
    public string HookName { get; }

    internal override int TypeRef => 5;

    internal override void WriteTypeRef(ByteWriter writer)
    {
        writer.WriteVarUint(5UL);
        writer.WriteString(HookName);
    }

    /// <summary>The map entries.</summary>
    public override object? ToJson() => MapEntries().ToDictionary(e => e.Key, e => e.Value is AbstractType t ? t.ToJson() : e.Value, StringComparer.Ordinal);
}
