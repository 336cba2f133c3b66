using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Events;

/// <summary>
/// What changed in one type during one transaction. Read <see cref="Delta"/> and <see cref="Keys"/> inside the
/// observer: they are computed from the transaction, which is gone once observers return.
/// </summary>
public class YEvent
{
    private IReadOnlyList<YDeltaOp>? _delta;
    private IReadOnlyDictionary<string, YMapKeyChange>? _keys;

    internal YEvent(AbstractType target, Transaction transaction)
    {
        Target = target;
        CurrentTarget = target;
        Transaction = transaction;
    }

    /// <summary>The type that changed.</summary>
    public AbstractType Target { get; }

    /// <summary>The type whose observer is running (an ancestor of <see cref="Target"/> for deep observers).</summary>
    public AbstractType CurrentTarget { get; internal set; }

    /// <summary>The transaction.</summary>
    public Transaction Transaction { get; }

    /// <summary>
    /// The path from <see cref="CurrentTarget"/> to <see cref="Target"/>: map keys (<see cref="string"/>) and
    /// list indexes (<see cref="int"/>).
    /// </summary>
    public IReadOnlyList<object> Path
    {
        get
        {
            var path = new List<object>();
            var child = Target;
            while (child.TypeItem is { } item && child != CurrentTarget)
            {
                if (item.ParentSub is not null)
                {
                    path.Insert(0, item.ParentSub);
                }
                else
                {
                    var i = 0;
                    for (var c = ((AbstractType)item.Parent!).Start; c is not null && c != item; c = c.Right)
                    {
                        if (!c.Deleted && c.Countable)
                        {
                            i += (int)c.Length;
                        }
                    }

                    path.Insert(0, i);
                }

                child = (AbstractType)item.Parent!;
            }

            return path;
        }
    }

    /// <summary>The changed map keys (for maps, and attributes of text).</summary>
    public IReadOnlyDictionary<string, YMapKeyChange> Keys => _keys ??= ComputeKeys();

    /// <summary>The change of the list content as a delta (for arrays and text).</summary>
    public IReadOnlyList<YDeltaOp> Delta => _delta ??= ComputeDelta();

    internal bool Adds(Item item) => Transaction.Adds(item);

    internal bool Deletes(Item item) => Transaction.Deletes(item);

    private protected void EnsureAlive()
    {
        if (Transaction.Doc.IsCleanedUp(Transaction))
        {
            throw new InvalidOperationException("Event changes must be read inside the observer.");
        }
    }

    private Dictionary<string, YMapKeyChange> ComputeKeys()
    {
        EnsureAlive();
        var keys = new Dictionary<string, YMapKeyChange>();
        if (!Transaction.TryGetChanged(Target, out var changed))
        {
            return keys;
        }

        foreach (var key in changed.Keys)
        {
            if (Target.MapItemOrNull(key) is not { } item)
            {
                continue;
            }

            if (Adds(item))
            {
                var prev = item.Left;
                while (prev is not null && Adds(prev))
                {
                    prev = prev.Left;
                }

                if (Deletes(item))
                {
                    if (prev is not null && Deletes(prev))
                    {
                        keys[key] = new YMapKeyChange(YMapChangeAction.Delete, prev.Content.LastValue);
                    }
                }
                else if (prev is not null && Deletes(prev))
                {
                    keys[key] = new YMapKeyChange(YMapChangeAction.Update, prev.Content.LastValue);
                }
                else
                {
                    keys[key] = new YMapKeyChange(YMapChangeAction.Add, null);
                }
            }
            else if (Deletes(item))
            {
                keys[key] = new YMapKeyChange(YMapChangeAction.Delete, item.Content.LastValue);
            }
        }

        return keys;
    }

    /// <summary>The list delta (yjs <c>YEvent.changes.delta</c>); text overrides it with formatting.</summary>
    private protected virtual IReadOnlyList<YDeltaOp> ComputeDelta()
    {
        EnsureAlive();
        var delta = new List<YDeltaOp>();
        if (!Transaction.TryGetChanged(Target, out var changed) || !changed.List)
        {
            return delta;
        }

        char kind = '\0';
        var count = 0L;
        List<object?>? inserted = null;

        void Pack()
        {
            switch (kind)
            {
                case 'd': delta.Add(new YDeltaOp { Delete = (int)count }); break;
                case 'r': delta.Add(new YDeltaOp { Retain = (int)count }); break;
                case 'i': delta.Add(new YDeltaOp { Insert = inserted }); break;
            }
        }

        for (var item = Target.Start; item is not null; item = item.Right)
        {
            if (item.Deleted)
            {
                if (Deletes(item) && !Adds(item))
                {
                    if (kind != 'd')
                    {
                        Pack();
                        kind = 'd';
                        count = 0;
                    }

                    count += item.Length;
                }
            }
            else if (Adds(item))
            {
                if (kind != 'i')
                {
                    Pack();
                    kind = 'i';
                    inserted = [];
                }

                item.Content.AppendValues(inserted!);
            }
            else
            {
                if (kind != 'r')
                {
                    Pack();
                    kind = 'r';
                    count = 0;
                }

                count += item.Length;
            }
        }

        if (kind is 'd' or 'i')
        {
            Pack();
        }

        return delta;
    }
}
