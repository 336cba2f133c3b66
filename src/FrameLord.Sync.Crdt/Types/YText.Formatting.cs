using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

public partial class YText
{
    private TextPosition FindPosition(Transaction transaction, long index, bool useSearchMarker)
    {
        var marker = useSearchMarker ? FindMarker(index) : null;
        return marker is not null
            ? FindNextPosition(transaction, new TextPosition(marker.Item.Left, marker.Item, marker.Index), index - marker.Index)
            : FindNextPosition(transaction, new TextPosition(null, Start, 0), index);
    }

    private static TextPosition FindNextPosition(Transaction transaction, TextPosition pos, long count)
    {
        while (pos.Right is { } right && count > 0)
        {
            if (right.Content is ContentFormat format)
            {
                if (!right.Deleted)
                {
                    TextPosition.UpdateCurrentAttributes(pos.CurrentAttributes, format);
                }
            }
            else if (!right.Deleted)
            {
                if (count < right.Length)
                {
                    transaction.Doc.Store.GetItemCleanStart(transaction, right.Client, right.Clock + count);
                }

                pos.Index += right.Length;
                count -= right.Length;
            }

            pos.Left = right;
            pos.Right = right.Right;
        }

        return pos;
    }

    private Item NewItemAt(Transaction transaction, TextPosition pos, Content content)
    {
        var item = transaction.CreateItem(pos.Left, pos.Right, this, null, content);
        item.Integrate(transaction, 0);
        return item;
    }

    /// <summary>yjs <c>insertText</c>: text, an embed or a type with exactly the given attributes.</summary>
    private void InsertContent(Transaction transaction, TextPosition pos, object text, OrderedDictionary<string, object?>? attributes)
    {
        if (pos.HasAttributes)
        {
            attributes ??= [];
            foreach (var key in pos.CurrentAttributes.Keys)
            {
                attributes.TryAdd(key, null);
            }
        }

        MinimizeAttributeChanges(pos, attributes);
        var negated = InsertAttributes(transaction, pos, attributes);
        Content content = text switch
        {
            string s => new ContentString(s),
            AbstractType type => ContentFactory.ForSingle(type),
            _ => new ContentEmbed(text),
        };
        var index = pos.Index;
        UpdateMarkerChanges(pos.Index, content.Length);
        var item = NewItemAt(transaction, pos, content);
        pos.Right = item;
        pos.Index = index;
        pos.Forward();
        InsertNegatedAttributes(transaction, pos, negated);
    }

    private static void MinimizeAttributeChanges(TextPosition pos, OrderedDictionary<string, object?>? attributes)
    {
        while (pos.Right is { } right
               && (right.Deleted
                   || (right.Content is ContentFormat format && JsEquality.AttrEquals(Normalize(attributes?.GetValueOrDefault(format.Key)), format.Value))))
        {
            pos.Forward();
        }
    }

    private static object? Normalize(object? value) => value is YUndefined ? null : value;

    private OrderedDictionary<string, object?>? InsertAttributes(Transaction transaction, TextPosition pos, OrderedDictionary<string, object?>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return null;
        }

        OrderedDictionary<string, object?>? negated = null;
        foreach (var (key, value) in JsKeyOrder.Ordered(attributes))
        {
            var current = pos.HasAttributes ? pos.CurrentAttributes.GetValueOrDefault(key) : null;
            if (!JsEquality.AttrEquals(current, value))
            {
                (negated ??= [])[key] = current;
                pos.Right = NewItemAt(transaction, pos, new ContentFormat(key, value));
                pos.Forward();
            }
        }

        return negated;
    }

    private void InsertNegatedAttributes(Transaction transaction, TextPosition pos, OrderedDictionary<string, object?>? negated)
    {
        if (negated is null || negated.Count == 0)
        {
            // Nothing to close; yjs only moves the cursor here, which no caller uses afterwards.
            return;
        }

        while (pos.Right is { } right
               && (right.Deleted
                   || (right.Content is ContentFormat format && negated.TryGetValue(format.Key, out var value) && JsEquality.AttrEquals(value, format.Value))))
        {
            if (!right.Deleted)
            {
                negated.Remove(((ContentFormat)right.Content).Key);
            }

            pos.Forward();
        }

        foreach (var (key, value) in negated)
        {
            pos.Right = NewItemAt(transaction, pos, new ContentFormat(key, value));
            pos.Forward();
        }
    }

    /// <summary>yjs <c>formatText</c>.</summary>
    private void FormatText(Transaction transaction, TextPosition pos, long length, OrderedDictionary<string, object?> attributes)
    {
        MinimizeAttributeChanges(pos, attributes);
        var negated = InsertAttributes(transaction, pos, attributes) ?? [];
        while (pos.Right is { } right
               && (length > 0 || (negated.Count > 0 && (right.Deleted || right.Content is ContentFormat))))
        {
            if (!right.Deleted)
            {
                if (right.Content is ContentFormat format)
                {
                    if (attributes.TryGetValue(format.Key, out var attr))
                    {
                        if (JsEquality.AttrEquals(attr, format.Value))
                        {
                            negated.Remove(format.Key);
                        }
                        else
                        {
                            if (length == 0)
                            {
                                break;
                            }

                            negated[format.Key] = format.Value;
                        }

                        right.Delete(transaction);
                    }
                    else
                    {
                        pos.CurrentAttributes[format.Key] = format.Value;
                    }
                }
                else
                {
                    if (length < right.Length)
                    {
                        transaction.Doc.Store.GetItemCleanStart(transaction, right.Client, right.Clock + length);
                    }

                    length -= right.Length;
                }
            }

            pos.Forward();
        }

        // Quill keeps a trailing newline: formatting past the end inserts newlines.
        if (length > 0)
        {
            pos.Right = NewItemAt(transaction, pos, new ContentString(new string('\n', (int)length)));
            pos.Forward();
        }

        InsertNegatedAttributes(transaction, pos, negated);
    }

    /// <summary>yjs <c>deleteText</c>.</summary>
    private void DeleteText(Transaction transaction, TextPosition pos, long length)
    {
        var startLength = length;
        var startAttributes = pos.CopyAttributes();
        var start = pos.Right;
        while (length > 0 && pos.Right is { } right)
        {
            if (!right.Deleted && right.Content is ContentType or ContentEmbed or ContentString)
            {
                if (length < right.Length)
                {
                    transaction.Doc.Store.GetItemCleanStart(transaction, right.Client, right.Clock + length);
                }

                length -= right.Length;
                right.Delete(transaction);
            }

            pos.Forward();
        }

        if (start is not null)
        {
            CleanupFormattingGap(transaction, start, pos.Right, startAttributes, pos, null);
        }

        UpdateMarkerChanges(pos.Index, -startLength + length);
    }
}
