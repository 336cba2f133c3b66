using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// One run of inserted content: its place in the parent's list (left/right), the neighbours it was inserted
/// between (origin/right origin), its parent and map key, and its content. Kept compact: ids are stored as
/// inline client/clock fields and the state bits share one byte.
/// </summary>
internal sealed partial class Item : AbstractStruct
{
    internal const byte KeepFlag = 1;
    internal const byte CountableFlag = 2;
    internal const byte DeletedFlag = 4;
    internal const byte MarkerFlag = 8;
    internal const byte HasOriginFlag = 16;
    internal const byte HasRightOriginFlag = 32;

    internal Item? Left;
    internal Item? Right;
    internal ulong OriginClient;
    internal long OriginClock;
    internal ulong RightOriginClient;
    internal long RightOriginClock;

    /// <summary>
    /// The parent type once integrated. Before integration (decoded items): a root type name (string), a
    /// <see cref="StructId"/> of the parent type's item, or null when it is inherited from a neighbour.
    /// </summary>
    internal object? Parent;
    internal string? ParentSub;
    internal Content Content;
    internal byte Info;

    /// <summary>Creates an item inserted locally between <paramref name="left"/> and <paramref name="right"/>.</summary>
    public Item(ulong client, long clock, Item? left, Item? right, object? parent, string? parentSub, Content content)
    {
        Client = client;
        Clock = clock;
        Left = left;
        Right = right;
        if (left is not null)
        {
            Info |= HasOriginFlag;
            OriginClient = left.Client;
            OriginClock = left.Clock + left.Length - 1;
        }

        if (right is not null)
        {
            Info |= HasRightOriginFlag;
            RightOriginClient = right.Client;
            RightOriginClock = right.Clock;
        }

        Parent = parent;
        ParentSub = parentSub;
        Content = content;
        Length = content.Length;
        if (content.Countable)
        {
            Info |= CountableFlag;
        }
    }

    /// <summary>Creates a decoded or split item of <paramref name="length"/> clocks; origins are set by the caller.</summary>
    public Item(ulong client, long clock, object? parent, string? parentSub, Content content, long length)
    {
        Client = client;
        Clock = clock;
        Parent = parent;
        ParentSub = parentSub;
        Content = content;
        Length = length;
        if (content.Countable)
        {
            Info |= CountableFlag;
        }
    }

    public override bool IsDeleted => (Info & DeletedFlag) != 0;

    public bool Deleted => (Info & DeletedFlag) != 0;

    public bool Countable => (Info & CountableFlag) != 0;

    public bool Keep
    {
        get => (Info & KeepFlag) != 0;
        set => Info = value ? (byte)(Info | KeepFlag) : (byte)(Info & ~KeepFlag);
    }

    public bool Marker
    {
        get => (Info & MarkerFlag) != 0;
        set => Info = value ? (byte)(Info | MarkerFlag) : (byte)(Info & ~MarkerFlag);
    }

    public bool HasOrigin => (Info & HasOriginFlag) != 0;

    public bool HasRightOrigin => (Info & HasRightOriginFlag) != 0;

    /// <summary>Visible (not deleted) and counted in the parent's length.</summary>
    public bool IsVisibleCountable => (Info & (DeletedFlag | CountableFlag)) == CountableFlag;

    public long LastClock => Clock + Length - 1;

    public AbstractType ParentType => (AbstractType)Parent!;

    public void MarkDeleted() => Info |= DeletedFlag;

    public void SetOrigin(ulong client, long clock)
    {
        Info |= HasOriginFlag;
        OriginClient = client;
        OriginClock = clock;
    }

    public void SetRightOrigin(ulong client, long clock)
    {
        Info |= HasRightOriginFlag;
        RightOriginClient = client;
        RightOriginClock = clock;
    }

    public bool SameOrigin(Item other) =>
        HasOrigin ? other.HasOrigin && OriginClient == other.OriginClient && OriginClock == other.OriginClock : !other.HasOrigin;

    public bool SameRightOrigin(Item other) =>
        HasRightOrigin
            ? other.HasRightOrigin && RightOriginClient == other.RightOriginClient && RightOriginClock == other.RightOriginClock
            : !other.HasRightOrigin;

    /// <summary>The previous item that is not deleted.</summary>
    public Item? Prev
    {
        get
        {
            var n = Left;
            while (n is not null && n.Deleted)
            {
                n = n.Left;
            }

            return n;
        }
    }

    /// <summary>Whether this item or <paramref name="right"/> was recreated by an undo (yjs merges neither).</summary>
    private bool HasRedoneLink(Item right)
    {
        var store = ((AbstractType)Parent!).Doc!.Store;
        return store.TryGetRedone(this, out _) || store.TryGetRedone(right, out _);
    }

    public override bool CanMergeWith(AbstractStruct right) =>
        right is Item r
        && r.HasOrigin && r.OriginClient == Client && r.OriginClock == Clock + Length - 1
        && Right == r
        && SameRightOrigin(r)
        && r.Client == Client
        && Clock + Length == r.Clock
        && Deleted == r.Deleted
        && Content.GetType() == r.Content.GetType()
        && Content.Mergeable
        && !(Parent is AbstractType { Doc.Store.HasRedone: true } && HasRedoneLink(r));

    public override bool MergeWith(AbstractStruct right)
    {
        if (!CanMergeWith(right) || !Content.TryMerge(((Item)right).Content))
        {
            return false;
        }

        var r = (Item)right;

        var markers = (Parent as AbstractType)?.Markers;
        if (markers is not null)
        {
            foreach (var marker in markers)
            {
                if (marker.Item == r)
                {
                    // The right item is about to disappear: point the marker at the merged item.
                    marker.Item = this;
                    if (!Deleted && Countable)
                    {
                        marker.Index -= Length;
                    }
                }
            }
        }

        if (r.Keep)
        {
            Keep = true;
        }

        Right = r.Right;
        if (Right is not null)
        {
            Right.Left = this;
        }

        Length += r.Length;
        return true;
    }
}
