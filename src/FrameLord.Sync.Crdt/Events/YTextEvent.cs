using System.Text;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Events;

/// <summary>
/// The event of a <see cref="YText"/>: <see cref="YEvent.Delta"/> is a rich-text delta (inserted strings and
/// embeds with their attributes, retains that change attributes, deletes), as yjs computes it. Like yjs,
/// computing it may delete format marks that became redundant.
/// </summary>
public sealed class YTextEvent : YEvent
{
    internal YTextEvent(YText target, Transaction transaction)
        : base(target, transaction)
    {
    }

    private protected override IReadOnlyList<YDeltaOp> ComputeDelta()
    {
        EnsureAlive();
        var doc = Transaction.Doc;
        var delta = new List<YDeltaOp>();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            Compute(transaction, delta);
        }
        finally
        {
            doc.End(initial);
        }

        return delta;
    }

    private void Compute(Transaction transaction, List<YDeltaOp> delta)
    {
        var currentAttributes = new OrderedDictionary<string, object?>();
        var oldAttributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var attributes = new OrderedDictionary<string, object?>();
        char action = '\0';
        var insert = new StringBuilder();
        object? insertEmbed = null;
        var retain = 0L;
        var deleteLength = 0L;

        void AddOp()
        {
            switch (action)
            {
                case 'd':
                    if (deleteLength > 0)
                    {
                        delta.Add(new YDeltaOp { Delete = (int)deleteLength });
                    }

                    deleteLength = 0;
                    break;
                case 'i':
                    if (insertEmbed is not null || insert.Length > 0)
                    {
                        Dictionary<string, object?>? attrs = null;
                        foreach (var (key, value) in currentAttributes)
                        {
                            if (value is not null)
                            {
                                (attrs ??= [])[key] = value;
                            }
                        }

                        delta.Add(new YDeltaOp { Insert = insertEmbed ?? insert.ToString(), Attributes = currentAttributes.Count > 0 ? attrs ?? [] : null });
                    }

                    insert.Clear();
                    insertEmbed = null;
                    break;
                case 'r':
                    if (retain > 0)
                    {
                        delta.Add(new YDeltaOp { Retain = (int)retain, Attributes = attributes.Count > 0 ? new Dictionary<string, object?>(attributes) : null });
                    }

                    retain = 0;
                    break;
            }

            action = '\0';
        }

        for (var item = Target.Start; item is not null; item = item.Right)
        {
            switch (item.Content)
            {
                case ContentType or ContentEmbed:
                    if (Adds(item))
                    {
                        if (!Deletes(item))
                        {
                            AddOp();
                            action = 'i';
                            insertEmbed = item.Content.LastValue;
                            AddOp();
                        }
                    }
                    else if (Deletes(item))
                    {
                        if (action != 'd')
                        {
                            AddOp();
                            action = 'd';
                        }

                        deleteLength += 1;
                    }
                    else if (!item.Deleted)
                    {
                        if (action != 'r')
                        {
                            AddOp();
                            action = 'r';
                        }

                        retain += 1;
                    }

                    break;
                case ContentString s:
                    if (Adds(item))
                    {
                        if (!Deletes(item))
                        {
                            if (action != 'i')
                            {
                                AddOp();
                                action = 'i';
                            }

                            insert.Append(s.Span);
                        }
                    }
                    else if (Deletes(item))
                    {
                        if (action != 'd')
                        {
                            AddOp();
                            action = 'd';
                        }

                        deleteLength += item.Length;
                    }
                    else if (!item.Deleted)
                    {
                        if (action != 'r')
                        {
                            AddOp();
                            action = 'r';
                        }

                        retain += item.Length;
                    }

                    break;
                case ContentFormat format:
                    FormatStep(transaction, item, format, currentAttributes, oldAttributes, attributes, ref action, AddOp);
                    break;
            }
        }

        AddOp();
        while (delta.Count > 0 && delta[^1].Retain is not null && delta[^1].Attributes is null)
        {
            // Trailing retains that assign no attributes carry no information.
            delta.RemoveAt(delta.Count - 1);
        }
    }

    private void FormatStep(
        Transaction transaction,
        Item item,
        ContentFormat format,
        OrderedDictionary<string, object?> currentAttributes,
        Dictionary<string, object?> oldAttributes,
        OrderedDictionary<string, object?> attributes,
        ref char action,
        Action addOp)
    {
        var key = format.Key;
        var value = format.Value;
        if (Adds(item))
        {
            if (!Deletes(item))
            {
                var curVal = currentAttributes.GetValueOrDefault(key);
                if (!JsEquality.AttrEquals(curVal, value))
                {
                    if (action == 'r')
                    {
                        addOp();
                        action = '\0';
                    }

                    if (JsEquality.AttrEquals(value, oldAttributes.GetValueOrDefault(key)))
                    {
                        attributes.Remove(key);
                    }
                    else
                    {
                        attributes[key] = value;
                    }
                }
                else if (value is not null)
                {
                    item.Delete(transaction);
                }
            }
        }
        else if (Deletes(item))
        {
            oldAttributes[key] = value;
            var curVal = currentAttributes.GetValueOrDefault(key);
            if (!JsEquality.AttrEquals(curVal, value))
            {
                if (action == 'r')
                {
                    addOp();
                    action = '\0';
                }

                attributes[key] = curVal;
            }
        }
        else if (!item.Deleted)
        {
            oldAttributes[key] = value;
            if (attributes.TryGetValue(key, out var attr))
            {
                if (!JsEquality.AttrEquals(attr, value))
                {
                    if (action == 'r')
                    {
                        addOp();
                        action = '\0';
                    }

                    if (value is null)
                    {
                        attributes.Remove(key);
                    }
                    else
                    {
                        attributes[key] = value;
                    }
                }
                else if (attr is not null)
                {
                    item.Delete(transaction);
                }
            }
        }

        if (!item.Deleted)
        {
            if (action == 'i')
            {
                addOp();
                action = '\0';
            }

            TextPosition.UpdateCurrentAttributes(currentAttributes, format);
        }
    }
}
