using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// A position in a text or array that survives concurrent edits (yjs <c>RelativePosition</c>): it names the
/// element it sticks to rather than an index. <see cref="Assoc"/> ≥ 0 (the default) sticks to the element after
/// the index, &lt; 0 to the element before it. Bytes and JSON are those of yjs <c>encodeRelativePosition</c> and
/// <c>relativePositionToJSON</c>.
/// </summary>
public sealed class YRelativePosition : IEquatable<YRelativePosition>
{
    /// <summary>Creates a position from its parts; exactly the ones yjs would have set.</summary>
    public YRelativePosition(YId? type, string? typeName, YId? item, long assoc = 0)
    {
        Type = type;
        TypeName = typeName;
        Item = item;
        Assoc = assoc;
    }

    /// <summary>The item of a nested type the position is at the end (or start) of, when <see cref="Item"/> is null.</summary>
    public YId? Type { get; }

    /// <summary>The root type's name, when the position is at the end (or start) of a root type.</summary>
    public string? TypeName { get; }

    /// <summary>The element the position sticks to, or null at the end (assoc ≥ 0) or start (assoc &lt; 0) of the type.</summary>
    public YId? Item { get; }

    /// <summary>≥ 0: sticks to the element after the index; &lt; 0: to the element before it. Default 0.</summary>
    public long Assoc { get; }

    /// <summary>
    /// The position at <paramref name="index"/> of <paramref name="type"/> (yjs
    /// <c>createRelativePositionFromTypeIndex</c>); an index past the end means the end.
    /// </summary>
    /// <param name="type">A text, array or XML type inserted in a document.</param>
    /// <param name="index">UTF-16 code units for text, elements for arrays.</param>
    /// <param name="assoc">≥ 0 (default 0): stick to the element after the index; &lt; 0: to the one before.</param>
    public static YRelativePosition FromTypeIndex(AbstractType type, long index, long assoc = 0)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (assoc < 0)
        {
            if (index == 0)
            {
                return ForType(type, null, assoc);
            }

            index--;
        }

        for (var n = type.Start; n is not null; n = n.Right)
        {
            if (n.IsVisibleCountable)
            {
                if (n.Length > index)
                {
                    return ForType(type, new YId(n.Client, n.Clock + index), assoc);
                }

                index -= n.Length;
            }

            if (n.Right is null && assoc < 0)
            {
                return ForType(type, new YId(n.Client, n.LastClock), assoc);
            }
        }

        return ForType(type, null, assoc);
    }

    private static YRelativePosition ForType(AbstractType type, YId? item, long assoc)
    {
        if (type.TypeItem is null)
        {
            return new YRelativePosition(null, type.RootName ?? throw new InvalidOperationException("The type is not in a document."), item, assoc);
        }

        return new YRelativePosition(new YId(type.TypeItem.Client, type.TypeItem.Clock), null, item, assoc);
    }

    /// <summary>
    /// Resolves the position in <paramref name="doc"/> (yjs <c>createAbsolutePositionFromRelativePosition</c>);
    /// null when the document does not have the element or type yet, or it was garbage collected.
    /// </summary>
    /// <param name="doc">The document.</param>
    /// <param name="followUndoneDeletions">
    /// Follow content an undo recreated to its new copy (default true, as in yjs). Only the replica that
    /// undid knows the link, so pass false where every replica must compute the same index.
    /// </param>
    public YAbsolutePosition? ToAbsolute(YDoc doc, bool followUndoneDeletions = true)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var store = doc.Store;
        AbstractType type;
        long index = 0;
        if (Item is { } rightId)
        {
            if (store.GetState(rightId.Client) <= rightId.Clock)
            {
                return null;
            }

            var (found, diff) = followUndoneDeletions ? FollowRedone(store, rightId) : WithOffset(store, rightId);
            if (found is not Structs.Item right || right.Parent is not AbstractType parent)
            {
                return null;
            }

            type = parent;
            if (type.TypeItem is null || !type.TypeItem.Deleted)
            {
                index = right.Deleted || !right.Countable ? 0 : diff + (Assoc >= 0 ? 0 : 1);
                for (var n = right.Left; n is not null; n = n.Left)
                {
                    if (n.IsVisibleCountable)
                    {
                        index += n.Length;
                    }
                }
            }
        }
        else
        {
            if (TypeName is not null)
            {
                type = doc.GetOrCreateRoot(TypeName);
            }
            else if (Type is { } typeId)
            {
                if (store.GetState(typeId.Client) <= typeId.Clock)
                {
                    return null;
                }

                var found = followUndoneDeletions ? FollowRedone(store, typeId).Struct : store.Find(typeId.Client, typeId.Clock);
                if (found is Structs.Item { Content: ContentType content })
                {
                    type = content.Type;
                }
                else
                {
                    return null;
                }
            }
            else
            {
                throw new InvalidOperationException("A relative position needs an item, a type name or a type id.");
            }

            index = Assoc >= 0 ? type.LengthInternal : 0;
        }

        return new YAbsolutePosition(type, index, Assoc);
    }

    private static (AbstractStruct? Struct, long Diff) WithOffset(StructStore store, YId id)
    {
        var s = store.Find(id.Client, id.Clock);
        return (s, s is null ? 0 : id.Clock - s.Clock);
    }

    /// <summary>The struct holding <paramref name="id"/>, following the copies undo made of deleted content (yjs <c>followRedone</c>).</summary>
    internal static (AbstractStruct? Struct, long Diff) FollowRedone(StructStore store, YId id)
    {
        YId? next = id;
        long diff = 0;
        AbstractStruct? s;
        do
        {
            var current = next.Value;
            if (diff > 0)
            {
                current = current with { Clock = current.Clock + diff };
            }

            s = store.Find(current.Client, current.Clock);
            if (s is null)
            {
                return (null, 0);
            }

            diff = current.Clock - s.Clock;
            next = s is Structs.Item item && store.TryGetRedone(item, out var redone) ? new YId(redone.Client, redone.Clock) : null;
        }
        while (next is not null && s is Structs.Item);

        return (s, diff);
    }

    /// <summary>The bytes of yjs <c>encodeRelativePosition</c>.</summary>
    public byte[] Encode()
    {
        using var writer = new ByteWriter(32);
        if (Item is { } item)
        {
            writer.WriteVarUint(0UL);
            writer.WriteVarUint(item.Client);
            writer.WriteVarUint(item.Clock);
        }
        else if (TypeName is not null)
        {
            writer.WriteByte(1);
            writer.WriteString(TypeName);
        }
        else if (Type is { } type)
        {
            writer.WriteByte(2);
            writer.WriteVarUint(type.Client);
            writer.WriteVarUint(type.Clock);
        }
        else
        {
            throw new InvalidOperationException("A relative position needs an item, a type name or a type id.");
        }

        writer.WriteVarInt(Math.Abs(Assoc), Assoc < 0);
        return writer.ToArray();
    }

    /// <summary>Reads the bytes of yjs <c>encodeRelativePosition</c> (a missing assoc means 0, as in yjs).</summary>
    /// <exception cref="YjsFormatException">The bytes are malformed or name no item, type name or type.</exception>
    public static YRelativePosition Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        YId? type = null;
        string? typeName = null;
        YId? item = null;
        switch (reader.ReadVarUint())
        {
            case 0:
                item = new YId((ulong)reader.ReadVarUint(), reader.ReadVarUint());
                break;
            case 1:
                typeName = reader.ReadString();
                break;
            case 2:
                type = new YId((ulong)reader.ReadVarUint(), reader.ReadVarUint());
                break;
            default:
                throw new YjsFormatException("Unknown relative position kind.");
        }

        long assoc = 0;
        if (reader.Remaining > 0)
        {
            var magnitude = reader.ReadVarInt(out var negative);
            assoc = negative ? -magnitude : magnitude;
        }

        return new YRelativePosition(type, typeName, item, assoc);
    }

    /// <summary>The JSON text of <c>JSON.stringify(Y.relativePositionToJSON(rpos))</c>.</summary>
    public string ToJson()
    {
        var json = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Type is { } type)
        {
            json["type"] = IdJson(type);
        }

        if (!string.IsNullOrEmpty(TypeName))
        {
            json["tname"] = TypeName;
        }

        if (Item is { } item)
        {
            json["item"] = IdJson(item);
        }

        json["assoc"] = Assoc;
        return JsonText.Stringify(json);
    }

    /// <summary>Reads the JSON of yjs <c>relativePositionToJSON</c> (yjs <c>createRelativePositionFromJSON</c>).</summary>
    /// <exception cref="YjsFormatException">The text is not such an object.</exception>
    public static YRelativePosition FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (JsonText.Parse(json) is not Dictionary<string, object?> obj)
        {
            throw new YjsFormatException("A relative position's JSON must be an object.");
        }

        var typeName = obj.GetValueOrDefault("tname") switch
        {
            null => null,
            string s => s,
            _ => throw new YjsFormatException("tname must be a string."),
        };
        var assoc = obj.GetValueOrDefault("assoc") switch
        {
            null => 0L,
            long l => l,
            _ => throw new YjsFormatException("assoc must be an integer."),
        };
        return new YRelativePosition(IdFromJson(obj.GetValueOrDefault("type")), typeName, IdFromJson(obj.GetValueOrDefault("item")), assoc);
    }

    private static Dictionary<string, object?> IdJson(YId id) => new(StringComparer.Ordinal) { ["client"] = (long)id.Client, ["clock"] = id.Clock };

    private static YId? IdFromJson(object? value) => value switch
    {
        null => null,
        Dictionary<string, object?> d when d.GetValueOrDefault("client") is long client && client >= 0
            && d.GetValueOrDefault("clock") is long clock && clock >= 0 => new YId((ulong)client, clock),
        _ => throw new YjsFormatException("An id must be {\"client\":n,\"clock\":n}."),
    };

    /// <summary>Equal parts (yjs <c>compareRelativePositions</c>).</summary>
    public bool Equals(YRelativePosition? other) =>
        other is not null && Type == other.Type && string.Equals(TypeName, other.TypeName, StringComparison.Ordinal) && Item == other.Item && Assoc == other.Assoc;

    public override bool Equals(object? obj) => Equals(obj as YRelativePosition);

    public override int GetHashCode() => HashCode.Combine(Type, TypeName, Item, Assoc);
}
