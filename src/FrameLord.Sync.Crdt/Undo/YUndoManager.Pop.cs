using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

public sealed partial class YUndoManager
{
    /// <summary>
    /// Pops steps until one changes something (yjs <c>popStackItem</c>): deletes what the step inserted (following
    /// copies an earlier redo made) and recreates what it deleted, in one transaction whose origin is this manager.
    /// </summary>
    private YStackItem? PopStackItem(List<YStackItem> stack, YStackKind kind)
    {
        Transaction? popTransaction = null;
        Doc.Transact(transaction =>
        {
            var store = Doc.Store;
            while (stack.Count > 0 && _currentStackItem is null)
            {
                var stackItem = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                var toRedo = new List<Item>();
                var toRedoSet = new HashSet<Item>(ReferenceEqualityComparer.Instance);
                var toDelete = new List<Item>();
                var performedChange = false;
                IterateDeletedStructs(transaction, stackItem.Insertions, s =>
                {
                    if (s is Item item && store.TryGetRedone(item, out _))
                    {
                        var (found, diff) = YRelativePosition.FollowRedone(store, new YId(item.Client, item.Clock));
                        s = diff > 0 && found is not null ? store.GetItemCleanStart(transaction, found.Client, found.Clock + diff) : found!;
                    }

                    if (s is Item { Deleted: false } live && InScope(live))
                    {
                        toDelete.Add(live);
                    }
                });
                IterateDeletedStructs(transaction, stackItem.Deletions, s =>
                {
                    // Never recreate what the same step inserted: it was created and deleted within one capture.
                    if (s is Item item && InScope(item) && !stackItem.Insertions.IsDeleted(item.Client, item.Clock) && toRedoSet.Add(item))
                    {
                        toRedo.Add(item);
                    }
                });
                foreach (var item in toRedo)
                {
                    performedChange = RedoItem(transaction, item, toRedoSet, stackItem.Insertions) is not null || performedChange;
                }

                // Children before parents, so that nothing is deleted through an already deleted parent.
                for (var i = toDelete.Count - 1; i >= 0; i--)
                {
                    toDelete[i].Delete(transaction);
                    performedChange = true;
                }

                _currentStackItem = performedChange ? stackItem : null;
            }

            ClearListMarkers(transaction);
            popTransaction = transaction;
        }, origin: this);

        var result = _currentStackItem;
        if (result is not null)
        {
            StackItemPopped?.Invoke(this, new YStackItemEventArgs(result, this, kind, ChangedParentTypes(popTransaction!)));
            _currentStackItem = null;
        }

        return result;
    }

    /// <summary>Search markers of types whose list changed are dropped, as yjs does after an undo or redo.</summary>
    private static void ClearListMarkers(Transaction transaction)
    {
        if (transaction.FirstChangedType is { } first && transaction.FirstChangedKeys!.List)
        {
            first.Markers?.Clear();
        }

        if (transaction.MoreChanged is { } more)
        {
            foreach (var (type, keys) in more)
            {
                if (keys.List)
                {
                    type.Markers?.Clear();
                }
            }
        }
    }

    /// <summary>
    /// Recreates a deleted item as a new item of this replica at its old place (yjs <c>redoItem</c>); null when it
    /// cannot be (its parent is gone for good, or a remote replica overwrote the map entry since).
    /// </summary>
    private AbstractStruct? RedoItem(Transaction transaction, Item item, HashSet<Item> redoItems, DeleteSet itemsToDelete)
    {
        var store = Doc.Store;
        if (store.TryGetRedone(item, out var redone))
        {
            return store.GetItemCleanStart(transaction, redone.Client, redone.Clock);
        }

        var parentItem = ((AbstractType)item.Parent!).TypeItem;
        if (parentItem is not null && parentItem.Deleted)
        {
            // The parent must come back first: redo it if this step will redo it anyway.
            if (!store.TryGetRedone(parentItem, out _)
                && (!redoItems.Contains(parentItem) || RedoItem(transaction, parentItem, redoItems, itemsToDelete) is null))
            {
                return null;
            }

            while (store.TryGetRedone(parentItem, out var parentRedone))
            {
                parentItem = (Item)store.GetItemCleanStart(transaction, parentRedone.Client, parentRedone.Clock);
            }
        }

        var parentType = parentItem is null ? (AbstractType)item.Parent! : ((ContentType)parentItem.Content).Type;
        Item? left = null;
        Item? right;
        if (item.ParentSub is null)
        {
            // A list item goes back between the nearest neighbours (or their copies) that live in the same parent.
            left = item.Left;
            right = item;
            while (left is not null)
            {
                var leftTrace = Trace(transaction, left, parentItem);
                if (leftTrace is not null)
                {
                    left = leftTrace;
                    break;
                }

                left = left.Left;
            }

            while (right is not null)
            {
                var rightTrace = Trace(transaction, right, parentItem);
                if (rightTrace is not null)
                {
                    right = rightTrace;
                    break;
                }

                right = right.Right;
            }
        }
        else
        {
            right = null;
            if (item.Right is not null && !IgnoreRemoteMapChanges)
            {
                // Later values of the key must all be ones this manager will remove or recreated copies; a value
                // set by another replica wins, and the entry is not restored.
                left = item;
                while (left is not null && left.Right is not null
                    && (store.TryGetRedone(left.Right, out _)
                        || itemsToDelete.IsDeleted(left.Right.Client, left.Right.Clock)
                        || IsDeletedByStack(_undoStack, left.Right)
                        || IsDeletedByStack(_redoStack, left.Right)))
                {
                    left = left.Right;
                    while (store.TryGetRedone(left, out var leftRedone))
                    {
                        left = (Item)store.GetItemCleanStart(transaction, leftRedone.Client, leftRedone.Clock);
                    }
                }

                if (left is not null && left.Right is not null)
                {
                    return null;
                }
            }
            else
            {
                left = parentType.MapItemOrNull(item.ParentSub);
            }

            // A left neighbour in another parent would give the copy a misleading origin.
            if (left is not null && ((AbstractType)left.Parent!).TypeItem != parentItem)
            {
                left = parentType.MapItemOrNull(item.ParentSub);
            }
        }

        var client = Doc.ClientId;
        var clock = store.GetState(client);
        var content = ContentCopy.Of(item);
        var copy = content is ContentDeleted
            ? DeletedCopy(client, clock, left, right, parentType, item)
            : new Item(client, clock, left, right, parentType, item.ParentSub, content);
        store.SetRedone(item, new StructId(client, clock));
        KeepItem(copy, true);
        copy.Integrate(transaction, 0);
        return copy;
    }

    /// <summary>Follows recreated copies of <paramref name="item"/> until one lives in <paramref name="parentItem"/>'s type; null if none.</summary>
    private Item? Trace(Transaction transaction, Item item, Item? parentItem)
    {
        Item? trace = item;
        while (trace is not null && ((AbstractType)trace.Parent!).TypeItem != parentItem)
        {
            trace = Doc.Store.TryGetRedone(trace, out var redone)
                ? Doc.Store.GetItemCleanStart(transaction, redone.Client, redone.Clock) as Item
                : null;
        }

        return trace;
    }

    private static Item DeletedCopy(ulong client, long clock, Item? left, Item? right, AbstractType parent, Item item)
    {
        var copy = new Item(client, clock, parent, item.ParentSub, ContentDeleted.Instance, item.Length) { Left = left, Right = right };
        if (left is not null)
        {
            copy.SetOrigin(left.Client, left.LastClock);
        }

        if (right is not null)
        {
            copy.SetRightOrigin(right.Client, right.Clock);
        }

        return copy;
    }

    private static bool IsDeletedByStack(List<YStackItem> stack, Item item)
    {
        foreach (var stackItem in stack)
        {
            if (stackItem.Deletions.IsDeleted(item.Client, item.Clock))
            {
                return true;
            }
        }

        return false;
    }
}
