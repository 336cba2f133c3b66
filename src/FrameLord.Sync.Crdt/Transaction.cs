using FrameLord.Sync.Crdt.Events;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// A unit of change on a <see cref="YDoc"/>. Everything done inside one <see cref="YDoc.Transact"/> call (and
/// every applied update) is one transaction: observers run once at its end, then deleted content is garbage
/// collected, adjacent items are merged, and one <see cref="YDoc.UpdateV1"/> event is raised.
/// </summary>
/// <remarks>
/// The state vector before the transaction is not copied up front (that would cost a dictionary per
/// keystroke): each client's struct list remembers its state when this transaction first added to it.
/// If another transaction starts while this one is still being cleaned up (an observer that edits), the
/// before-state is frozen into a dictionary first.
/// </remarks>
public sealed class Transaction
{
    private StructList? _firstTouched;
    private List<StructList>? _moreTouched;
    private (ulong Client, long Before, long After)[] _changes = [];
    private AbstractType? _firstChangedType;
    private ChangedKeys? _firstChangedKeys;
    private bool _firstChangedSlotUsed;
    private DeleteSet? _deleteSet;
    private Dictionary<ulong, long>? _frozenBefore;
    private Dictionary<AbstractType, List<YEvent>>? _changedParentTypes;
    private Dictionary<AbstractType, ChangedKeys>? _moreChanged;
    private List<AbstractStruct>? _mergeStructs;

    internal Transaction(YDoc doc, object? origin, bool local, long id)
    {
        Doc = doc;
        Origin = origin;
        Local = local;
        Id = id;
    }

    /// <summary>The document.</summary>
    public YDoc Doc { get; }

    /// <summary>What the caller passed as origin (null by default); observers and update handlers see it.</summary>
    public object? Origin { get; }

    /// <summary>True for changes made through the API, false for applied updates.</summary>
    public bool Local { get; internal set; }

    internal long Id { get; }

    /// <summary>Per client whose state changed: the clock before and after (set when cleanup starts).</summary>
    internal IReadOnlyList<(ulong Client, long Before, long After)> Changes => _changes;

    internal DeleteSet DeleteSet => _deleteSet ??= new DeleteSet();

    internal bool HasDeletes => _deleteSet is { IsEmpty: false };

    /// <summary>Whether any type changed (observers will run).</summary>
    internal bool HasChanged => _firstChangedType is not null || _moreChanged is { Count: > 0 };

    /// <summary>
    /// The changed types in the order they first changed. The first one is kept in fields, the rest in a
    /// dictionary, so a transaction that changes one type allocates no dictionary.
    /// </summary>
    internal AbstractType? FirstChangedType => _firstChangedType;

    internal ChangedKeys? FirstChangedKeys => _firstChangedKeys;

    internal Dictionary<AbstractType, ChangedKeys>? MoreChanged => _moreChanged;

    internal bool TryGetChanged(AbstractType type, out ChangedKeys keys)
    {
        if (_firstChangedType == type)
        {
            keys = _firstChangedKeys!;
            return true;
        }

        if (_moreChanged is not null && _moreChanged.TryGetValue(type, out var found))
        {
            keys = found;
            return true;
        }

        keys = ChangedKeys.ListOnly;
        return false;
    }

    internal void RemoveChanged(AbstractType type)
    {
        if (_firstChangedType == type)
        {
            _firstChangedType = null;
            _firstChangedKeys = null;
        }
        else
        {
            _moreChanged?.Remove(type);
        }
    }

    internal Dictionary<AbstractType, List<YEvent>> ChangedParentTypes => _changedParentTypes ??= [];

    internal bool HasChangedParentTypes => _changedParentTypes is { Count: > 0 };

    internal List<AbstractStruct> MergeStructs => _mergeStructs ??= [];

    internal bool HasMergeStructs => _mergeStructs is { Count: > 0 };

    internal bool NeedFormattingCleanup { get; set; }

    /// <summary>Records that this transaction is about to add a struct to <paramref name="list"/>.</summary>
    internal void Touch(StructList list)
    {
        if (list.TransactionId != Id)
        {
            list.TransactionId = Id;
            list.StateBeforeTransaction = list.State;
            if (_firstTouched is null)
            {
                _firstTouched = list;
            }
            else
            {
                (_moreTouched ??= []).Add(list);
            }
        }
    }

    /// <summary>The client's clock when the transaction started.</summary>
    internal long GetBeforeState(ulong client)
    {
        if (_frozenBefore is not null)
        {
            return _frozenBefore.TryGetValue(client, out var frozen) ? frozen : 0;
        }

        if (!Doc.Store.Clients.TryGetValue(client, out var list))
        {
            return 0;
        }

        return list.TransactionId == Id ? list.StateBeforeTransaction : list.State;
    }

    /// <summary>Copies the before-state so that later transactions cannot change what this one reports.</summary>
    internal void FreezeBeforeState()
    {
        if (_frozenBefore is not null)
        {
            return;
        }

        var frozen = new Dictionary<ulong, long>(Doc.Store.Clients.Count);
        foreach (var (client, list) in Doc.Store.Clients)
        {
            frozen[client] = list.TransactionId == Id ? list.StateBeforeTransaction : list.State;
        }

        _frozenBefore = frozen;
    }

    /// <summary>Fills <see cref="Changes"/> from the touched clients (cleanup start; yjs computes afterState here).</summary>
    internal void ComputeChanges()
    {
        if (_firstTouched is null)
        {
            _changes = [];
            return;
        }

        if (_moreTouched is null)
        {
            var before = GetBeforeState(_firstTouched.Client);
            var after = _firstTouched.State;
            _changes = before == after ? [] : [(_firstTouched.Client, before, after)];
            return;
        }

        var changes = new List<(ulong, long, long)>(1 + _moreTouched.Count);
        AddChange(changes, _firstTouched);
        if (_moreTouched is not null)
        {
            foreach (var list in _moreTouched)
            {
                AddChange(changes, list);
            }
        }

        _changes = changes.Count == 0 ? [] : changes.ToArray();
    }

    private void AddChange(List<(ulong, long, long)> changes, StructList list)
    {
        var before = GetBeforeState(list.Client);
        var after = list.State;
        if (before != after)
        {
            changes.Add((list.Client, before, after));
        }
    }

    /// <summary>
    /// Records that <paramref name="type"/> changed (key <paramref name="parentSub"/>, null for the list), unless
    /// the type itself was created in this transaction (yjs <c>addChangedTypeToTransaction</c>).
    /// </summary>
    internal void AddChangedType(AbstractType type, string? parentSub)
    {
        var item = type.TypeItem;
        if (item is null || (item.Clock < GetBeforeState(item.Client) && !item.Deleted))
        {
            if (_firstChangedType == type)
            {
                _firstChangedKeys = _firstChangedKeys!.With(parentSub);
            }
            else if (!_firstChangedSlotUsed)
            {
                _firstChangedSlotUsed = true;
                _firstChangedType = type;
                _firstChangedKeys = ChangedKeys.Create(parentSub);
            }
            else
            {
                var more = _moreChanged ??= [];
                more[type] = more.TryGetValue(type, out var keys) ? keys.With(parentSub) : ChangedKeys.Create(parentSub);
            }
        }
    }

    /// <summary>Whether the item was inserted in this transaction.</summary>
    internal bool Adds(Item item) => item.Clock >= GetBeforeState(item.Client);

    /// <summary>Whether the item was deleted in this transaction.</summary>
    internal bool Deletes(Item item) => _deleteSet is not null && _deleteSet.IsDeleted(item.Client, item.Clock);

    internal Item CreateItem(Item? left, Item? right, AbstractType parent, string? parentSub, Content content)
    {
        var client = Doc.ClientId;
        return new Item(client, Doc.Store.GetState(client), left, right, parent, parentSub, content);
    }
}
