using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// Copies of item contents for undo and redo (yjs <c>content.copy()</c>): values are shared, a nested type
/// becomes a new empty type of the same kind (its children are recreated one by one).
/// </summary>
internal static class ContentCopy
{
    public static Content Of(Item item) => item.Content switch
    {
        ContentString s => new ContentString(s.ToString()),
        ContentAny a => new ContentAny([.. a.Values]),
        ContentJson j => new ContentJson([.. j.Values]),
        ContentBinary b => new ContentBinary(b.Bytes),
        ContentEmbed e => new ContentEmbed(e.Value),
        ContentFormat f => new ContentFormat(f.Key, f.Value),
        ContentDoc d => new ContentDoc(d.Guid, d.Options),
        ContentType t => new ContentType(EmptyLike(t.Type)),
        ContentDeleted => ContentDeleted.Instance,
        _ => throw new InvalidOperationException($"Unknown content {item.Content.GetType().Name}."),
    };

    private static AbstractType EmptyLike(AbstractType type) => type switch
    {
        YXmlText => new YXmlText(),
        YText => new YText(),
        YMap => new YMap(),
        YArray => new YArray(),
        YXmlElement e => new YXmlElement(e.NodeName),
        YXmlHook h => new YXmlHook(h.HookName),
        YXmlFragment => new YXmlFragment(),
        _ => throw new InvalidOperationException($"Cannot copy a {type.GetType().Name}."),
    };
}
