using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

public partial class YText
{
    /// <summary>Removes redundant format marks between two pieces of content (yjs <c>cleanupFormattingGap</c>).</summary>
    /// <remarks>The attributes at <paramref name="curr"/> are <paramref name="currAttributes"/>, or those of <paramref name="pos"/> (allocated only when a format mark is met).</remarks>
    private static int CleanupFormattingGap(Transaction transaction, Item start, Item? curr, OrderedDictionary<string, object?>? startAttributes, TextPosition? pos, OrderedDictionary<string, object?>? currAttributes)
    {
        OrderedDictionary<string, object?> Current() => currAttributes ??= pos!.CurrentAttributes;

        Item? end = start;
        Dictionary<string, ContentFormat>? endFormats = null;
        while (end is not null && (!end.Countable || end.Deleted))
        {
            if (!end.Deleted && end.Content is ContentFormat cf)
            {
                (endFormats ??= new Dictionary<string, ContentFormat>(StringComparer.Ordinal))[cf.Key] = cf;
            }

            end = end.Right;
        }

        var cleanups = 0;
        var reachedCurr = false;
        Item? s = start;
        while (s != end && s is not null)
        {
            if (curr == s)
            {
                reachedCurr = true;
            }

            if (!s.Deleted && s.Content is ContentFormat format)
            {
                var startValue = startAttributes?.GetValueOrDefault(format.Key);
                if (endFormats is null || !endFormats.TryGetValue(format.Key, out var endFormat) || endFormat != format || JsEquality.StrictEquals(startValue, format.Value))
                {
                    // Overwritten later in the gap, or not needed because the attribute was already set.
                    s.Delete(transaction);
                    cleanups++;
                    if (!reachedCurr && JsEquality.StrictEquals(Current().GetValueOrDefault(format.Key), format.Value) && !JsEquality.StrictEquals(startValue, format.Value))
                    {
                        if (startValue is null)
                        {
                            Current().Remove(format.Key);
                        }
                        else
                        {
                            Current()[format.Key] = startValue;
                        }
                    }
                }

                if (!reachedCurr && !s.Deleted)
                {
                    TextPosition.UpdateCurrentAttributes(Current(), format);
                }
            }

            s = s.Right;
        }

        return cleanups;
    }

    /// <summary>Deletes duplicate format marks around a deleted item without computing attributes (yjs <c>cleanupContextlessFormattingGap</c>).</summary>
    private static void CleanupContextlessFormattingGap(Transaction transaction, Item? item)
    {
        while (item?.Right is { } right && (right.Deleted || !right.Countable))
        {
            item = right;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (item is not null && (item.Deleted || !item.Countable))
        {
            if (!item.Deleted && item.Content is ContentFormat format && !seen.Add(format.Key))
            {
                item.Delete(transaction);
            }

            item = item.Left;
        }
    }

    /// <summary>Removes every redundant format mark of the text (yjs <c>cleanupYTextFormatting</c>).</summary>
    internal int CleanupFormatting(Transaction transaction)
    {
        var res = 0;
        var start = Start;
        var end = Start;
        var startAttributes = new OrderedDictionary<string, object?>();
        var currentAttributes = new OrderedDictionary<string, object?>();
        while (end is not null)
        {
            if (!end.Deleted)
            {
                if (end.Content is ContentFormat format)
                {
                    TextPosition.UpdateCurrentAttributes(currentAttributes, format);
                }
                else
                {
                    res += CleanupFormattingGap(transaction, start!, end, startAttributes, null, currentAttributes);
                    startAttributes = new OrderedDictionary<string, object?>(currentAttributes);
                    start = end;
                }
            }

            end = end.Right;
        }

        return res;
    }

    /// <summary>
    /// After a remote transaction touched formatted text, removes format marks made redundant by concurrent
    /// edits, in a new transaction (yjs <c>cleanupYTextAfterTransaction</c>).
    /// </summary>
    internal static void CleanupAfterTransaction(Transaction transaction)
    {
        var doc = transaction.Doc;
        var store = doc.Store;
        var needFullCleanup = new List<YText>();
        var needFullSet = new HashSet<YText>();
        foreach (var (client, clock, _) in transaction.Changes)
        {
            var structs = store.Clients[client];
            for (var i = StructStore.FindIndexCleanStart(transaction, structs, clock); i < structs.Count; i++)
            {
                if (structs[i] is Item { Deleted: false, Content: ContentFormat, Parent: YText text } && needFullSet.Add(text))
                {
                    needFullCleanup.Add(text);
                }
            }
        }

        var cleanup = doc.Begin(null, local: true, out var initial);
        try
        {
            foreach (var (client, ranges) in transaction.DeleteSet.Clients)
            {
                var structs = store.Clients[client];
                foreach (var range in ranges)
                {
                    StructStore.IterateStructs(transaction, structs, range.Clock, range.Length, s =>
                    {
                        if (s is not Item { Parent: YText { HasFormatting: true } text } item || needFullSet.Contains(text))
                        {
                            return;
                        }

                        if (item.Content is ContentFormat)
                        {
                            if (needFullSet.Add(text))
                            {
                                needFullCleanup.Add(text);
                            }
                        }
                        else
                        {
                            CleanupContextlessFormattingGap(cleanup, item);
                        }
                    });
                }
            }

            foreach (var text in needFullCleanup)
            {
                text.CleanupFormatting(cleanup);
            }
        }
        finally
        {
            doc.End(initial);
        }
    }
}
