using System.Text;
using FrameLord.Sync.Crdt.Events;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// Shared rich text. Indexes and lengths count UTF-16 code units, as yjs and JavaScript strings do (a
/// character outside the BMP counts 2; splitting a surrogate pair leaves U+FFFD on both sides, as yjs does).
/// Formatting is a set of attributes (name → JSON-like value, null removes) over ranges.
/// </summary>
public partial class YText : AbstractType
{
    /// <summary>Creates an empty text; insert it into a document (a map, an array) before using it.</summary>
    public YText()
    {
        Markers = [];
    }

    internal override int TypeRef => 2;

    /// <summary>Whether format marks were ever integrated (then formatting cleanups run after remote changes).</summary>
    internal bool HasFormatting { get; set; }

    /// <summary>Length in UTF-16 code units.</summary>
    public int Length => (int)LengthInternal;

    /// <summary>
    /// Inserts <paramref name="text"/> at <paramref name="index"/>. With <paramref name="attributes"/> null (the
    /// default) the text takes the formatting at the index; otherwise exactly the given attributes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is beyond the length.</exception>
    public void Insert(int index, string text, IReadOnlyDictionary<string, object?>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckIndex(index);
        if (text.Length == 0)
        {
            return;
        }

        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            var pos = FindPosition(transaction, index, useSearchMarker: attributes is null);
            var attrs = attributes is null ? pos.CopyAttributes() : ToOrdered(attributes);
            InsertContent(transaction, pos, text, attrs);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>
    /// Inserts an embed (a JSON-like value such as an image description) or a new shared type at
    /// <paramref name="index"/>; it has length 1.
    /// </summary>
    public void InsertEmbed(int index, object embed, IReadOnlyDictionary<string, object?>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(embed);
        CheckIndex(index);
        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            var pos = FindPosition(transaction, index, useSearchMarker: attributes is null);
            InsertContent(transaction, pos, embed, attributes is null ? null : ToOrdered(attributes));
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>Deletes <paramref name="length"/> code units from <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches beyond the length.</exception>
    public void Delete(int index, int length)
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
            DeleteText(transaction, FindPosition(transaction, index, useSearchMarker: true), length);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>Sets <paramref name="attributes"/> (null values remove an attribute) on a range.</summary>
    public void Format(int index, int length, IReadOnlyDictionary<string, object?> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        CheckIndex(index);
        if (length <= 0)
        {
            return;
        }

        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            var pos = FindPosition(transaction, index, useSearchMarker: false);
            if (pos.Right is not null)
            {
                FormatText(transaction, pos, length, ToOrdered(attributes));
            }
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>Applies a delta (inserts, retains with attributes, deletes) from the start of the text.</summary>
    public void ApplyDelta(IEnumerable<YDeltaOp> delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            var pos = new TextPosition(null, Start, 0);
            foreach (var op in delta)
            {
                if (op.Insert is not null)
                {
                    if (op.Insert is not string s || s.Length > 0)
                    {
                        InsertContent(transaction, pos, op.Insert, op.Attributes is null ? null : ToOrdered(op.Attributes));
                    }
                }
                else if (op.Retain is { } retain)
                {
                    FormatText(transaction, pos, retain, op.Attributes is null ? [] : ToOrdered(op.Attributes));
                }
                else if (op.Delete is { } delete)
                {
                    DeleteText(transaction, pos, delete);
                }
            }
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>The plain text (embeds and formatting left out).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder((int)LengthInternal);
        for (var n = Start; n is not null; n = n.Right)
        {
            if (!n.Deleted && n.Countable && n.Content is ContentString s)
            {
                sb.Append(s.Span);
            }
        }

        return sb.ToString();
    }

    /// <summary>The plain text.</summary>
    public override object? ToJson() => ToString();

    /// <summary>The content as a delta of inserts: text runs with their attributes, embeds and nested types.</summary>
    public IReadOnlyList<YDeltaOp> ToDelta()
    {
        var ops = new List<YDeltaOp>();
        var current = new OrderedDictionary<string, object?>();
        var sb = new StringBuilder();

        void PackString()
        {
            if (sb.Length > 0)
            {
                ops.Add(new YDeltaOp { Insert = sb.ToString(), Attributes = current.Count > 0 ? new Dictionary<string, object?>(current) : null });
                sb.Clear();
            }
        }

        for (var n = Start; n is not null; n = n.Right)
        {
            if (n.Deleted)
            {
                continue;
            }

            switch (n.Content)
            {
                case ContentString s:
                    sb.Append(s.Span);
                    break;
                case ContentType or ContentEmbed:
                    PackString();
                    ops.Add(new YDeltaOp { Insert = n.Content.LastValue, Attributes = current.Count > 0 ? new Dictionary<string, object?>(current) : null });
                    break;
                case ContentFormat format:
                    PackString();
                    TextPosition.UpdateCurrentAttributes(current, format);
                    break;
            }
        }

        PackString();
        return ops;
    }

    /// <summary>Sets a text-level attribute (stored like a map entry, as yjs does).</summary>
    public void SetAttribute(string name, object? value)
    {
        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            MapSet(transaction, name, value);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>A text-level attribute, or null.</summary>
    public object? GetAttribute(string name) => MapGet(name);

    /// <summary>Removes a text-level attribute.</summary>
    public void RemoveAttribute(string name)
    {
        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            MapDelete(transaction, name);
        }
        finally
        {
            doc.End(initial);
        }
    }

    internal override void CallObserver(Transaction transaction, ChangedKeys keysChanged)
    {
        base.CallObserver(transaction, keysChanged);
        if (!transaction.Local && HasFormatting)
        {
            transaction.NeedFormattingCleanup = true;
        }
    }

    private protected override YEvent CreateEvent(Transaction transaction, ChangedKeys keysChanged) => new YTextEvent(this, transaction);

    private void CheckIndex(int index)
    {
        if (index < 0 || index > LengthInternal)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    private static OrderedDictionary<string, object?> ToOrdered(IReadOnlyDictionary<string, object?> attributes)
    {
        var ordered = new OrderedDictionary<string, object?>(attributes.Count);
        foreach (var (key, value) in attributes)
        {
            ordered[key] = value;
        }

        return ordered;
    }
}
