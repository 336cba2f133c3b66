using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// Base of the shared types. A type is either a named root of a <see cref="YDoc"/> or nested inside another
/// type; until it is inserted into a document it is empty and cannot be changed.
/// </summary>
public abstract partial class AbstractType
{
    internal Item? TypeItem;
    internal Item? Start;
    internal Dictionary<string, Item>? MapItems;
    internal long LengthInternal;
    internal List<SearchMarker>? Markers;
    internal string? RootName;

    private protected AbstractType()
    {
    }

    /// <summary>The document this type belongs to, or null before it is inserted into one.</summary>
    public YDoc? Doc { get; internal set; }

    /// <summary>The type this one is nested in, or null for a root type (or one not inserted yet).</summary>
    public AbstractType? Parent => TypeItem?.Parent as AbstractType;

    /// <summary>The wire type ref (0 YArray, 1 YMap, 2 YText, 3 YXmlElement, 4 YXmlFragment, 5 YXmlHook, 6 YXmlText).</summary>
    internal abstract int TypeRef { get; }

    internal virtual void WriteTypeRef(ByteWriter writer) => writer.WriteVarUint((ulong)TypeRef);

    internal virtual void Integrate(YDoc doc, Item item)
    {
        Doc = doc;
        TypeItem = item;
    }

    internal Item? MapItemOrNull(string key) => MapItems is not null && MapItems.TryGetValue(key, out var item) ? item : null;

    internal void SetMapItem(string key, Item item) => (MapItems ??= new Dictionary<string, Item>(StringComparer.Ordinal))[key] = item;

    /// <summary>Takes over the content of an untyped root created by an update before the application asked for the type.</summary>
    internal void AdoptFrom(AbstractType placeholder)
    {
        Doc = placeholder.Doc;
        RootName = placeholder.RootName;
        Start = placeholder.Start;
        MapItems = placeholder.MapItems;
        LengthInternal = placeholder.LengthInternal;
        for (var n = Start; n is not null; n = n.Right)
        {
            n.Parent = this;
        }

        if (MapItems is not null)
        {
            foreach (var last in MapItems.Values)
            {
                for (var n = last; n is not null; n = n.Left)
                {
                    n.Parent = this;
                }
            }
        }

        // As in yjs, the new type starts with fresh search markers and without the formatting flag.
    }

    /// <summary>Creates an empty type from a wire type ref (content ref 7).</summary>
    internal static AbstractType CreateFromRef(ref ByteReader reader)
    {
        var typeRef = reader.ReadVarUint();
        return typeRef switch
        {
            0 => new YArray(),
            1 => new YMap(),
            2 => new YText(),
            3 => new YXmlElement(reader.ReadString()),
            4 => new YXmlFragment(),
            5 => new YXmlHook(reader.ReadString()),
            6 => new YXmlText(),
            _ => throw new YjsFormatException($"Unknown type ref {typeRef}."),
        };
    }

    /// <summary>Throws unless the type is part of a document; returns the document.</summary>
    private protected YDoc RequireDoc() =>
        Doc ?? throw new InvalidOperationException("Insert the type into a document before changing or reading it.");

    /// <summary>The visible map entries (key → current value).</summary>
    private protected IEnumerable<KeyValuePair<string, object?>> MapEntries()
    {
        if (MapItems is null)
        {
            yield break;
        }

        foreach (var (key, item) in MapItems)
        {
            if (!item.Deleted)
            {
                yield return new KeyValuePair<string, object?>(key, item.Content.LastValue);
            }
        }
    }

    private protected object? MapGet(string key)
    {
        var item = MapItemOrNull(key);
        return item is not null && !item.Deleted ? item.Content.LastValue : null;
    }

    private protected bool MapHas(string key)
    {
        var item = MapItemOrNull(key);
        return item is not null && !item.Deleted;
    }

    internal void MapDelete(Transaction transaction, string key) => MapItemOrNull(key)?.Delete(transaction);

    internal void MapSet(Transaction transaction, string key, object? value)
    {
        var left = MapItemOrNull(key);
        var content = ContentFactory.ForMapValue(value);
        var item = transaction.CreateItem(left, null, this, key, content);
        item.Integrate(transaction, 0);
    }

    /// <summary>A plain .NET snapshot of the content: strings, lists, dictionaries and JSON-like values.</summary>
    public abstract object? ToJson();
}
