using System.Collections;
using System.Numerics;
using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>Turns .NET values into item contents, as yjs does for map and list inserts.</summary>
internal static class ContentFactory
{
    /// <summary>JSON-like values go into <see cref="ContentAny"/> runs.</summary>
    public static bool IsJsonLike(object? value) => value switch
    {
        null or bool or string or YUndefined or BigInteger => true,
        byte[] => false,
        IDictionary<string, object?> => true,
        IList => true,
        _ => JsNumber.TryToDouble(value, out _),
    };

    public static Content ForMapValue(object? value)
    {
        if (IsJsonLike(value))
        {
            return new ContentAny([value]);
        }

        return ForSingle(value);
    }

    /// <summary>Content for a value that is not JSON-like: a byte array, a fresh shared type or a subdocument reference.</summary>
    public static Content ForSingle(object? value) => value switch
    {
        byte[] bytes => new ContentBinary(bytes),
        AbstractType type => new ContentType(CheckFresh(type)),
        YSubdocReference subdoc => new ContentDoc(subdoc.Guid, subdoc.Options),
        _ => throw new ArgumentException($"Unsupported value type {value?.GetType()}: use JSON-like values, byte[], a new shared type or a YSubdocReference."),
    };

    private static AbstractType CheckFresh(AbstractType type)
    {
        if (type.Doc is not null || type.TypeItem is not null)
        {
            throw new InvalidOperationException("A shared type can be inserted only once; create a new one.");
        }

        if (type is UntypedRoot)
        {
            throw new InvalidOperationException("An untyped root cannot be inserted.");
        }

        return type;
    }
}
