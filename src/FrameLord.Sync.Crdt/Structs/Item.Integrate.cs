using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Structs;

internal sealed partial class Item
{
    /// <summary>
    /// Checks that origin, right origin and parent are known. Returns the client of a missing dependency, or
    /// null after resolving <see cref="Left"/>, <see cref="Right"/> and <see cref="Parent"/> (yjs
    /// <c>getMissing</c>). A parent that was garbage collected, or a GC neighbour, leaves <see cref="Parent"/>
    /// null so the item is integrated as a GC struct.
    /// </summary>
    public ulong? GetMissing(Transaction transaction, StructStore store)
    {
        if (HasOrigin && OriginClient != Client && OriginClock >= store.GetState(OriginClient))
        {
            return OriginClient;
        }

        if (HasRightOrigin && RightOriginClient != Client && RightOriginClock >= store.GetState(RightOriginClient))
        {
            return RightOriginClient;
        }

        if (Parent is StructId parentId && parentId.Client != Client && parentId.Clock >= store.GetState(parentId.Client))
        {
            return parentId.Client;
        }

        var gcNeighbour = false;
        if (HasOrigin)
        {
            var left = store.GetItemCleanEnd(transaction, OriginClient, OriginClock);
            if (left is Item leftItem)
            {
                Left = leftItem;
                OriginClient = leftItem.Client;
                OriginClock = leftItem.LastClock;
            }
            else
            {
                gcNeighbour = true;
            }
        }

        if (HasRightOrigin)
        {
            var right = store.GetItemCleanStart(transaction, RightOriginClient, RightOriginClock);
            if (right is Item rightItem)
            {
                Right = rightItem;
                RightOriginClient = rightItem.Client;
                RightOriginClock = rightItem.Clock;
            }
            else
            {
                gcNeighbour = true;
            }
        }

        if (gcNeighbour)
        {
            Parent = new UnresolvableParent(Parent);
        }
        else if (Parent is null)
        {
            if (Left is not null)
            {
                Parent = Left.Parent;
                ParentSub = Left.ParentSub;
            }
            else if (Right is not null)
            {
                Parent = Right.Parent;
                ParentSub = Right.ParentSub;
            }
        }
        else if (Parent is StructId id)
        {
            var parentStruct = store.Find(id.Client, id.Clock);
            Parent = parentStruct is Item { Content: ContentType type } ? type.Type : new UnresolvableParent(id);
        }
        else if (Parent is string rootName)
        {
            Parent = transaction.Doc.GetOrCreateRoot(rootName);
        }

        return null;
    }

    /// <summary>
    /// YATA integration (yjs <c>Item.integrate</c>): places the item among concurrent inserts at the same
    /// position, links it, updates the parent and the store. <paramref name="offset"/> &gt; 0 skips an
    /// already-known prefix.
    /// </summary>
    public void Integrate(Transaction transaction, long offset)
    {
        var store = transaction.Doc.Store;
        if (offset > 0)
        {
            Clock += offset;
            var left = store.GetItemCleanEnd(transaction, Client, Clock - 1);
            if (left is Item leftItem)
            {
                Left = leftItem;
                SetOrigin(leftItem.Client, leftItem.LastClock);
            }
            else
            {
                Left = null;
                SetOrigin(Client, Clock - 1);
                Parent = new UnresolvableParent(Parent);
            }

            Content = Content.Splice(offset);
            Length -= offset;
        }

        if (Parent is not AbstractType parent)
        {
            store.AddStruct(transaction, new GcStruct(Client, Clock, Length));
            return;
        }

        if ((Left is null && (Right is null || Right.Left is not null)) || (Left is not null && Left.Right != Right))
        {
            ResolveConflicts(transaction, parent);
        }

        if (Left is not null)
        {
            Right = Left.Right;
            Left.Right = this;
        }
        else
        {
            Item? r;
            if (ParentSub is not null)
            {
                r = parent.MapItemOrNull(ParentSub);
                while (r is not null && r.Left is not null)
                {
                    r = r.Left;
                }
            }
            else
            {
                r = parent.Start;
                parent.Start = this;
            }

            Right = r;
        }

        if (Right is not null)
        {
            Right.Left = this;
        }
        else if (ParentSub is not null)
        {
            // The rightmost item of a key is its current value; the previous value is deleted.
            parent.SetMapItem(ParentSub, this);
            Left?.Delete(transaction);
        }

        if (ParentSub is null && Countable && !Deleted)
        {
            parent.LengthInternal += Length;
        }

        store.AddStruct(transaction, this);
        Content.Integrate(transaction, this);
        transaction.AddChangedType(parent, ParentSub);
        if ((parent.TypeItem is not null && parent.TypeItem.Deleted) || (ParentSub is not null && Right is not null))
        {
            // The parent is deleted, or this is an older concurrent value of a map key.
            Delete(transaction);
        }
    }

    private void ResolveConflicts(Transaction transaction, AbstractType parent)
    {
        var store = transaction.Doc.Store;
        var left = Left;
        Item? o;
        if (left is not null)
        {
            o = left.Right;
        }
        else if (ParentSub is not null)
        {
            o = parent.MapItemOrNull(ParentSub);
            while (o is not null && o.Left is not null)
            {
                o = o.Left;
            }
        }
        else
        {
            o = parent.Start;
        }

        var conflictingItems = transaction.Doc.ConflictSetA;
        var itemsBeforeOrigin = transaction.Doc.ConflictSetB;
        conflictingItems.Clear();
        itemsBeforeOrigin.Clear();
        while (o is not null && o != Right)
        {
            itemsBeforeOrigin.Add(o);
            conflictingItems.Add(o);
            if (SameOrigin(o))
            {
                if (o.Client < Client)
                {
                    left = o;
                    conflictingItems.Clear();
                }
                else if (SameRightOrigin(o))
                {
                    // Same integration points: the lower client id goes first, so this goes before o.
                    break;
                }
            }
            else if (o.HasOrigin && store.Find(o.OriginClient, o.OriginClock) is Item originItem && itemsBeforeOrigin.Contains(originItem))
            {
                if (!conflictingItems.Contains(originItem))
                {
                    left = o;
                    conflictingItems.Clear();
                }
            }
            else
            {
                break;
            }

            o = o.Right;
        }

        conflictingItems.Clear();
        itemsBeforeOrigin.Clear();
        Left = left;
    }

    /// <summary>Marks the item deleted; a deleted type takes its children with it (iteratively, no recursion).</summary>
    public void Delete(Transaction transaction)
    {
        if (Deleted)
        {
            return;
        }

        DeleteSingle(transaction);
        if (Content is not ContentType)
        {
            return;
        }

        var work = new Stack<Item>();
        work.Push(this);
        while (work.Count > 0)
        {
            var type = ((ContentType)work.Pop().Content).Type;
            for (var child = type.Start; child is not null; child = child.Right)
            {
                DeleteChild(transaction, child, work);
            }

            if (type.MapItems is { } map)
            {
                foreach (var child in map.Values)
                {
                    DeleteChild(transaction, child, work);
                }
            }
        }
    }

    private static void DeleteChild(Transaction transaction, Item child, Stack<Item> work)
    {
        if (!child.Deleted)
        {
            child.DeleteSingle(transaction);
            if (child.Content is ContentType)
            {
                work.Push(child);
            }
        }
        else if (child.Clock < transaction.GetBeforeState(child.Client))
        {
            // Already deleted before: it is not in this transaction's delete set, but may now merge.
            transaction.MergeStructs.Add(child);
        }
    }

    private void DeleteSingle(Transaction transaction)
    {
        var parent = (AbstractType)Parent!;
        if (Countable && ParentSub is null)
        {
            parent.LengthInternal -= Length;
        }

        MarkDeleted();
        transaction.DeleteSet.Add(Client, Clock, Length);
        transaction.AddChangedType(parent, ParentSub);
        Content.Delete(transaction);
    }

    /// <summary>
    /// Drops the content of a deleted item (yjs <c>Item.gc</c>). A deleted type's descendants become GC structs.
    /// </summary>
    public void Gc(StructStore store, bool parentGcd)
    {
        if (Content is ContentType)
        {
            var work = new Stack<Item>();
            work.Push(this);
            while (work.Count > 0)
            {
                var type = ((ContentType)work.Pop().Content).Type;
                for (var child = type.Start; child is not null; child = child.Right)
                {
                    GcChild(store, child, work);
                }

                type.Start = null;
                if (type.MapItems is { } map)
                {
                    foreach (var last in map.Values)
                    {
                        for (var child = last; child is not null; child = child.Left)
                        {
                            GcChild(store, child, work);
                        }
                    }

                    type.MapItems = null;
                }
            }
        }

        if (parentGcd)
        {
            store.ReplaceStruct(this, new GcStruct(Client, Clock, Length));
        }
        else if (Content is not ContentDeleted)
        {
            // The countable bit stays as it was, as in yjs; it only matters together with the deleted bit.
            Content = ContentDeleted.Instance;
        }
    }

    private static void GcChild(StructStore store, Item child, Stack<Item> work)
    {
        if (child.Content is ContentType)
        {
            work.Push(child);
        }

        store.ReplaceStruct(child, new GcStruct(child.Client, child.Clock, child.Length));
    }
}
