using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

public abstract partial class AbstractType
{
    /// <summary>Inserts values at an element index (yjs <c>typeListInsertGenerics</c>).</summary>
    internal void ListInsert(Transaction transaction, long index, IReadOnlyList<object?> content)
    {
        if (index == 0)
        {
            UpdateMarkerChanges(index, content.Count);
            ListInsertAfter(transaction, null, content);
            return;
        }

        var startIndex = index;
        var marker = FindMarker(index);
        var n = Start;
        if (marker is not null)
        {
            n = marker.Item;
            index -= marker.Index;
            if (index == 0)
            {
                // Step to the previous visible item so the index can be decreased.
                n = n.Prev;
                index += n is not null && n.Countable && !n.Deleted ? n.Length : 0;
            }
        }

        for (; n is not null; n = n.Right)
        {
            if (!n.Deleted && n.Countable)
            {
                if (index <= n.Length)
                {
                    if (index < n.Length)
                    {
                        transaction.Doc.Store.GetItemCleanStart(transaction, n.Client, n.Clock + index);
                    }

                    break;
                }

                index -= n.Length;
            }
        }

        UpdateMarkerChanges(startIndex, content.Count);
        ListInsertAfter(transaction, n, content);
    }

    /// <summary>Inserts values after <paramref name="reference"/> (null: at the start), JSON-like runs as one item.</summary>
    internal void ListInsertAfter(Transaction transaction, Item? reference, IReadOnlyList<object?> content)
    {
        var left = reference;
        var right = reference is null ? Start : reference.Right;
        List<object?>? json = null;
        foreach (var value in content)
        {
            if (ContentFactory.IsJsonLike(value))
            {
                (json ??= []).Add(value);
                continue;
            }

            if (json is not null)
            {
                left = InsertItem(transaction, left, right, new ContentAny(json));
                json = null;
            }

            left = InsertItem(transaction, left, right, ContentFactory.ForSingle(value));
        }

        if (json is not null)
        {
            InsertItem(transaction, left, right, new ContentAny(json));
        }
    }

    private Item InsertItem(Transaction transaction, Item? left, Item? right, Content content)
    {
        var item = transaction.CreateItem(left, right, this, null, content);
        item.Integrate(transaction, 0);
        return item;
    }

    /// <summary>Appends values at the end (yjs <c>typeListPushGenerics</c>).</summary>
    internal void ListPush(Transaction transaction, IReadOnlyList<object?> content)
    {
        var n = Start;
        var maxIndex = 0L;
        if (Markers is not null)
        {
            foreach (var m in Markers)
            {
                if (m.Index > maxIndex)
                {
                    maxIndex = m.Index;
                    n = m.Item;
                }
            }
        }

        if (n is not null)
        {
            while (n.Right is not null)
            {
                n = n.Right;
            }
        }

        ListInsertAfter(transaction, n, content);
    }

    /// <summary>Deletes <paramref name="length"/> elements from <paramref name="index"/> (yjs <c>typeListDelete</c>).</summary>
    internal void ListDelete(Transaction transaction, long index, long length)
    {
        var store = transaction.Doc.Store;
        var startIndex = index;
        var startLength = length;
        var marker = FindMarker(index);
        var n = Start;
        if (marker is not null)
        {
            n = marker.Item;
            index -= marker.Index;
        }

        for (; n is not null && index > 0; n = n.Right)
        {
            if (!n.Deleted && n.Countable)
            {
                if (index < n.Length)
                {
                    store.GetItemCleanStart(transaction, n.Client, n.Clock + index);
                }

                index -= n.Length;
            }
        }

        while (length > 0 && n is not null)
        {
            if (!n.Deleted)
            {
                if (length < n.Length)
                {
                    store.GetItemCleanStart(transaction, n.Client, n.Clock + length);
                }

                n.Delete(transaction);
                length -= n.Length;
            }

            n = n.Right;
        }

        if (length > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "Length exceeded.");
        }

        UpdateMarkerChanges(startIndex, -startLength + length);
    }

    internal object? ListGet(long index)
    {
        var marker = FindMarker(index);
        var n = Start;
        if (marker is not null)
        {
            n = marker.Item;
            index -= marker.Index;
        }

        for (; n is not null; n = n.Right)
        {
            if (!n.Deleted && n.Countable)
            {
                if (index < n.Length)
                {
                    var values = new List<object?>();
                    n.Content.AppendValues(values);
                    return values[(int)index];
                }

                index -= n.Length;
            }
        }

        return null;
    }

    internal List<object?> ListToArray()
    {
        var values = new List<object?>();
        for (var n = Start; n is not null; n = n.Right)
        {
            if (n.Countable && !n.Deleted)
            {
                n.Content.AppendValues(values);
            }
        }

        return values;
    }
}
