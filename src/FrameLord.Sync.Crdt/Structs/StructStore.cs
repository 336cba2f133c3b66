namespace FrameLord.Sync.Crdt.Structs;

/// <summary>All structs of a document by client, plus what could not be integrated yet (pending).</summary>
internal sealed class StructStore
{
    public Dictionary<ulong, StructList> Clients { get; } = [];

    /// <summary>Structs waiting for missing dependencies: a V1 update (0 delete ranges) and the lowest missing clock per client.</summary>
    public PendingStructs? Pending { get; set; }

    /// <summary>Delete ranges waiting for structs we do not have yet: a V1 update with 0 structs.</summary>
    public byte[]? PendingDeleteSet { get; set; }

    /// <summary>
    /// For items an undo recreated: the id of the copy (yjs <c>item.redone</c>). Kept beside the items, not in
    /// them, because only documents that undo need it and every item would pay for the field.
    /// </summary>
    private Dictionary<Item, StructId>? _redone;

    public bool HasRedone => _redone is { Count: > 0 };

    public bool TryGetRedone(Item item, out StructId redone)
    {
        if (_redone is not null && _redone.TryGetValue(item, out redone))
        {
            return true;
        }

        redone = default;
        return false;
    }

    public void SetRedone(Item item, StructId redone) => (_redone ??= new Dictionary<Item, StructId>(ReferenceEqualityComparer.Instance))[item] = redone;

    public long GetState(ulong client) => Clients.TryGetValue(client, out var list) ? list.State : 0;

    public Dictionary<ulong, long> GetStateVector()
    {
        var sv = new Dictionary<ulong, long>(Clients.Count);
        foreach (var (client, list) in Clients)
        {
            sv[client] = list.State;
        }

        return sv;
    }

    public void AddStruct(Transaction transaction, AbstractStruct s)
    {
        if (!Clients.TryGetValue(s.Client, out var list))
        {
            list = new StructList(s.Client);
            Clients.Add(s.Client, list);
        }
        else if (list.State != s.Clock)
        {
            throw new InvalidOperationException("Struct clocks must be contiguous.");
        }

        transaction.Touch(list);
        list.Add(s);
    }

    /// <summary>The struct containing the clock (no split); null if unknown.</summary>
    public AbstractStruct? Find(ulong client, long clock)
    {
        if (!Clients.TryGetValue(client, out var list))
        {
            return null;
        }

        var index = list.FindIndex(clock);
        return index < 0 ? null : list[index];
    }

    /// <summary>Index of the struct starting exactly at <paramref name="clock"/>, splitting an item if needed.</summary>
    public static int FindIndexCleanStart(Transaction transaction, StructList list, long clock)
    {
        var index = list.FindIndex(clock);
        var s = list[index];
        if (s.Clock < clock && s is Item item)
        {
            list.Insert(index + 1, SplitItem(transaction, item, clock - item.Clock));
            return index + 1;
        }

        return index;
    }

    public AbstractStruct GetItemCleanStart(Transaction transaction, ulong client, long clock)
    {
        var list = Clients[client];
        return list[FindIndexCleanStart(transaction, list, clock)];
    }

    public AbstractStruct GetItemCleanEnd(Transaction transaction, ulong client, long clock)
    {
        var list = Clients[client];
        var index = list.FindIndex(clock);
        var s = list[index];
        if (clock != s.Clock + s.Length - 1 && s is Item item)
        {
            list.Insert(index + 1, SplitItem(transaction, item, clock - item.Clock + 1));
        }

        return s;
    }

    public void ReplaceStruct(AbstractStruct old, AbstractStruct replacement)
    {
        var list = Clients[old.Client];
        list[list.FindIndex(old.Clock)] = replacement;
    }

    /// <summary>Splits <paramref name="left"/> after <paramref name="diff"/> clocks and returns the right half (yjs <c>splitItem</c>).</summary>
    public static Item SplitItem(Transaction transaction, Item left, long diff)
    {
        var right = new Item(left.Client, left.Clock + diff, left.Parent, left.ParentSub, left.Content.Splice(diff), left.Length - diff)
        {
            Left = left,
            Right = left.Right,
        };
        right.SetOrigin(left.Client, left.Clock + diff - 1);
        if (left.HasRightOrigin)
        {
            right.SetRightOrigin(left.RightOriginClient, left.RightOriginClock);
        }

        if (left.Deleted)
        {
            right.MarkDeleted();
        }

        if (left.Keep)
        {
            right.Keep = true;
        }

        var store = transaction.Doc.Store;
        if (store.HasRedone && store.TryGetRedone(left, out var redone))
        {
            store.SetRedone(right, redone with { Clock = redone.Clock + diff });
        }

        left.Right = right;
        if (right.Right is not null)
        {
            right.Right.Left = right;
        }

        transaction.MergeStructs.Add(right);
        if (right.ParentSub is not null && right.Right is null)
        {
            ((Types.AbstractType)right.Parent!).SetMapItem(right.ParentSub, right);
        }

        left.Length = diff;
        return right;
    }

    /// <summary>Calls <paramref name="visit"/> for the structs covering a clock range, splitting at its ends (yjs <c>iterateStructs</c>).</summary>
    internal static void IterateStructs(Transaction transaction, StructList structs, long clockStart, long length, Action<AbstractStruct> visit)
    {
        if (length == 0)
        {
            return;
        }

        var clockEnd = clockStart + length;
        var index = StructStore.FindIndexCleanStart(transaction, structs, clockStart);
        AbstractStruct s;
        do
        {
            s = structs[index++];
            if (clockEnd < s.Clock + s.Length)
            {
                StructStore.FindIndexCleanStart(transaction, structs, clockEnd);
            }

            visit(s);
        }
        while (index < structs.Count && structs[index].Clock < clockEnd);
    }
}
