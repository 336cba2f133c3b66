using FrameLord.Sync.Crdt.Events;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// A shared list of values: JSON-like values, byte arrays and nested shared types. Indexes count elements.
/// </summary>
public sealed class YArray : AbstractType
{
    /// <summary>Creates an empty array; insert it into a document (a map, an array) before using it.</summary>
    public YArray()
    {
        Markers = [];
    }

    internal override int TypeRef => 0;

    /// <summary>Number of elements.</summary>
    public int Length => (int)LengthInternal;

    /// <summary>
    /// Inserts <paramref name="values"/> at <paramref name="index"/> (0 to <see cref="Length"/>). Each argument is
    /// one element; a list passed as one argument is one element (a JSON array).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is beyond the length.</exception>
    public void Insert(int index, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (index < 0 || index > LengthInternal)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        if (values.Length == 0)
        {
            return;
        }

        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            ListInsert(transaction, index, values);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>Appends <paramref name="values"/> at the end.</summary>
    public void Push(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
        {
            return;
        }

        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            ListPush(transaction, values);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>Deletes <paramref name="length"/> elements (default 1) from <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches beyond the length.</exception>
    public void Delete(int index, int length = 1)
    {
        if (index < 0 || length < 0 || (long)index + length > LengthInternal)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        if (length == 0)
        {
            return;
        }

        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            ListDelete(transaction, index, length);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>The element at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not below the length.</exception>
    public object? Get(int index)
    {
        if (index < 0 || index >= LengthInternal)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return ListGet(index);
    }

    /// <summary>The elements; nested types are returned as themselves.</summary>
    public List<object?> ToArray() => ListToArray();

    /// <summary>A list snapshot; nested types become their JSON.</summary>
    public override object? ToJson() => ListToArray().Select(static v => v is AbstractType t ? t.ToJson() : v).ToList();

    private protected override YEvent CreateEvent(Transaction transaction, ChangedKeys keysChanged) => new YArrayEvent(this, transaction);
}
