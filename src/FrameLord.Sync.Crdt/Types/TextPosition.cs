using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>A cursor in a text's item list with the formatting active at it (yjs <c>ItemTextListPosition</c>).</summary>
internal sealed class TextPosition(Item? left, Item? right, long index)
{
    private OrderedDictionary<string, object?>? _currentAttributes;

    public Item? Left { get; set; } = left;

    public Item? Right { get; set; } = right;

    public long Index { get; set; } = index;

    /// <summary>The attributes active at the cursor (allocated on first use: plain text never needs it).</summary>
    public OrderedDictionary<string, object?> CurrentAttributes => _currentAttributes ??= [];

    public bool HasAttributes => _currentAttributes is { Count: > 0 };

    /// <summary>A copy of the current attributes, or null when there are none.</summary>
    public OrderedDictionary<string, object?>? CopyAttributes() => HasAttributes ? new OrderedDictionary<string, object?>(_currentAttributes!) : null;

    public void Forward()
    {
        var right = Right ?? throw new InvalidOperationException("Cannot move past the end of the text.");
        if (right.Content is ContentFormat format)
        {
            if (!right.Deleted)
            {
                UpdateCurrentAttributes(CurrentAttributes, format);
            }
        }
        else if (!right.Deleted)
        {
            Index += right.Length;
        }

        Left = right;
        Right = right.Right;
    }

    public static void UpdateCurrentAttributes(OrderedDictionary<string, object?> attributes, ContentFormat format)
    {
        if (format.Value is null)
        {
            attributes.Remove(format.Key);
        }
        else
        {
            attributes[format.Key] = format.Value;
        }
    }
}
