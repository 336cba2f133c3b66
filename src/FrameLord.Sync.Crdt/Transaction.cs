using FrameLord.Sync.Crdt.Events;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// A unit of change on a <see cref="YDoc"/>. Everything done inside one <see cref="YDoc.Transact"/> call (and
/// every applied update) is one transaction: observers run once at its end, then deleted content is garbage
/// collected, adjacent items are merged, and one <see cref="YDoc.UpdateV1"/> event is raised.
/// </summary>
public sealed class Transaction
{
    internal Transaction(YDoc doc, object? origin, bool local)
    {
        Doc = doc;
        Origin = origin;
        Local = local;
        BeforeState = doc.Store.GetStateVector();
    }

    /// <summary>The document.</summary>
    public YDoc Doc { get; }

    /// <summary>What the caller passed as origin (null by default); observers and update handlers see it.</summary>
    public object? Origin { get; }

    /// <summary>True for changes made through the API, false for applied updates.</summary>
    public bool Local { get; internal set; }

    internal Dictionary<ulong, long> BeforeState { get; }

    internal Dictionary<ulong, long>? AfterState { get; set; }

    internal DeleteSet DeleteSet { get; } = new();

    internal Dictionary<AbstractType, HashSet<string?>> Changed { get; } = [];

    internal Dictionary<AbstractType, List<YEvent>> ChangedParentTypes { get; } = [];

    internal List<AbstractStruct> MergeStructs { get; } = [];

    internal bool NeedFormattingCleanup { get; set; }

    internal long GetBeforeState(ulong client) => BeforeState.TryGetValue(client, out var clock) ? clock : 0;

    /// <summary>
    /// Records that <paramref name="type"/> changed (key <paramref name="parentSub"/>, null for the list), unless
    /// the type itself was created in this transaction (yjs <c>addChangedTypeToTransaction</c>).
    /// </summary>
    internal void AddChangedType(AbstractType type, string? parentSub)
    {
        var item = type.TypeItem;
        if (item is null || (item.Clock < GetBeforeState(item.Client) && !item.Deleted))
        {
            if (!Changed.TryGetValue(type, out var subs))
            {
                subs = [];
                Changed.Add(type, subs);
            }

            subs.Add(parentSub);
        }
    }

    /// <summary>Whether the item was inserted in this transaction.</summary>
    internal bool Adds(Item item) => item.Clock >= GetBeforeState(item.Client);

    /// <summary>Whether the item was deleted in this transaction.</summary>
    internal bool Deletes(Item item) => DeleteSet.IsDeleted(item.Client, item.Clock);

    internal Item CreateItem(Item? left, Item? right, AbstractType parent, string? parentSub, Content content)
    {
        var client = Doc.ClientId;
        return new Item(client, Doc.Store.GetState(client), left, right, parent, parentSub, content);
    }
}
