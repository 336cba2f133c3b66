using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// Undo and redo of this replica's own changes (yjs <c>UndoManager</c>, same semantics and resulting bytes).
/// Transactions with a tracked origin that change a type in scope become steps on the undo stack; changes less
/// than <see cref="YUndoManagerOptions.CaptureTimeout"/> apart are merged into one step. Undo deletes what a
/// step inserted and recreates what it deleted, as new items of this replica; changes from other replicas
/// (applied updates, untracked origins) are never reverted, even when they were made at the same time.
/// </summary>
public sealed partial class YUndoManager : IDisposable
{
    private readonly List<object> _scope = [];
    private readonly HashSet<object?> _trackedOrigins;
    private readonly Func<Transaction, bool>? _captureTransaction;
    private readonly TimeProvider _time;
    private readonly long _captureTimeoutMs;
    private readonly Action<Transaction> _afterTransaction;
    private List<YStackItem> _undoStack = [];
    private List<YStackItem> _redoStack = [];
    private YStackItem? _currentStackItem;
    private long _lastChange;
    private bool _disposed;

    /// <summary>Tracks changes to <paramref name="scope"/> and every type nested in it.</summary>
    public YUndoManager(AbstractType scope, YUndoManagerOptions? options = null)
        : this([scope], options)
    {
    }

    /// <summary>Tracks changes to the types of <paramref name="scope"/> (all of one document) and their nested types.</summary>
    public YUndoManager(IEnumerable<AbstractType> scope, YUndoManagerOptions? options = null)
        : this(DocOf(scope), options)
    {
        _scope.Clear();
        foreach (var type in scope)
        {
            AddToScope(type);
        }
    }

    /// <summary>Tracks changes to every type of <paramref name="doc"/>.</summary>
    public YUndoManager(YDoc doc, YUndoManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        Doc = doc;
        _scope.Add(doc);
        _trackedOrigins = options?.TrackedOrigins is { } origins ? [.. origins] : [null];
        _trackedOrigins.Add(this);
        _captureTransaction = options?.CaptureTransaction;
        _time = options?.TimeProvider ?? TimeProvider.System;
        var timeout = options?.CaptureTimeout ?? TimeSpan.FromMilliseconds(500);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        _captureTimeoutMs = (long)timeout.TotalMilliseconds;
        IgnoreRemoteMapChanges = options?.IgnoreRemoteMapChanges ?? false;
        _afterTransaction = OnAfterTransaction;
        doc.AddAfterTransaction(_afterTransaction);
    }

    /// <summary>The document.</summary>
    public YDoc Doc { get; }

    /// <summary>See <see cref="YUndoManagerOptions.IgnoreRemoteMapChanges"/>.</summary>
    public bool IgnoreRemoteMapChanges { get; set; }

    /// <summary>True while <see cref="Undo"/> runs.</summary>
    public bool Undoing { get; private set; }

    /// <summary>True while <see cref="Redo"/> runs.</summary>
    public bool Redoing { get; private set; }

    /// <summary>The undo steps, oldest first.</summary>
    public IReadOnlyList<YStackItem> UndoStack => _undoStack;

    /// <summary>The redo steps, oldest first.</summary>
    public IReadOnlyList<YStackItem> RedoStack => _redoStack;

    /// <summary>Whether there is a step to undo.</summary>
    public bool CanUndo => _undoStack.Count > 0;

    /// <summary>Whether there is a step to redo.</summary>
    public bool CanRedo => _redoStack.Count > 0;

    /// <summary>A step was pushed on a stack (store selection metadata in its <see cref="YStackItem.Meta"/> here).</summary>
    public event EventHandler<YStackItemEventArgs>? StackItemAdded;

    /// <summary>A change was merged into the step on top of a stack (within the capture timeout).</summary>
    public event EventHandler<YStackItemEventArgs>? StackItemUpdated;

    /// <summary>A step was undone or redone (restore metadata from its <see cref="YStackItem.Meta"/> here).</summary>
    public event EventHandler<YStackItemEventArgs>? StackItemPopped;

    /// <summary>Stacks were cleared by <see cref="Clear"/> (or the redo stack by a new tracked change).</summary>
    public event EventHandler<YStackClearedEventArgs>? StackCleared;

    private static YDoc DocOf(IEnumerable<AbstractType> scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var first = scope.FirstOrDefault() ?? throw new ArgumentException("The scope is empty.", nameof(scope));
        return first.Doc ?? throw new ArgumentException("Insert the type into a document first.", nameof(scope));
    }

    /// <summary>Adds a type (of the same document) to the scope.</summary>
    public void AddToScope(AbstractType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Doc != Doc)
        {
            throw new ArgumentException("The type belongs to another document.", nameof(type));
        }

        if (!_scope.Contains(type))
        {
            _scope.Add(type);
        }
    }

    /// <summary>Tracks transactions with this origin (or, for a <see cref="Type"/>, with origins of that type).</summary>
    public void AddTrackedOrigin(object? origin) => _trackedOrigins.Add(origin);

    /// <summary>Stops tracking transactions with this origin.</summary>
    public void RemoveTrackedOrigin(object? origin) => _trackedOrigins.Remove(origin);

    /// <summary>The next tracked change starts a new step, however soon it comes (yjs <c>stopCapturing</c>).</summary>
    public void StopCapturing() => _lastChange = 0;

    /// <summary>Empties the stacks; content they kept for undo may then be garbage collected.</summary>
    public void Clear(bool clearUndoStack = true, bool clearRedoStack = true)
    {
        if ((clearUndoStack && CanUndo) || (clearRedoStack && CanRedo))
        {
            Doc.Transact(transaction =>
            {
                if (clearUndoStack)
                {
                    foreach (var item in _undoStack)
                    {
                        Release(transaction, item);
                    }

                    _undoStack = [];
                }

                if (clearRedoStack)
                {
                    foreach (var item in _redoStack)
                    {
                        Release(transaction, item);
                    }

                    _redoStack = [];
                }

                StackCleared?.Invoke(this, new YStackClearedEventArgs(clearUndoStack, clearRedoStack));
            });
        }
    }

    /// <summary>Undoes the last step; returns it, or null when no step changed anything.</summary>
    public YStackItem? Undo()
    {
        Undoing = true;
        try
        {
            return PopStackItem(_undoStack, YStackKind.Undo);
        }
        finally
        {
            Undoing = false;
        }
    }

    /// <summary>Redoes the last undone step; returns it, or null when no step changed anything.</summary>
    public YStackItem? Redo()
    {
        Redoing = true;
        try
        {
            return PopStackItem(_redoStack, YStackKind.Redo);
        }
        finally
        {
            Redoing = false;
        }
    }

    /// <summary>Stops tracking the document.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _trackedOrigins.Remove(this);
        Doc.RemoveAfterTransaction(_afterTransaction);
    }

    private bool IsTracked(object? origin) =>
        _trackedOrigins.Contains(origin) || (origin is not null && _trackedOrigins.Contains(origin.GetType()));

    /// <summary>Whether an item is inside the scope: in a scoped type or nested in one, or the scope is the document.</summary>
    private bool InScope(Item item)
    {
        foreach (var entry in _scope)
        {
            if (entry == Doc || IsParentOf((AbstractType)entry, item))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsParentOf(AbstractType parent, Item? child)
    {
        while (child is not null)
        {
            if (child.Parent == parent)
            {
                return true;
            }

            child = (child.Parent as AbstractType)?.TypeItem;
        }

        return false;
    }

    /// <summary>Marks an item and its ancestors as kept (or no longer kept) from garbage collection (yjs <c>keepItem</c>).</summary>
    private static void KeepItem(Item? item, bool keep)
    {
        while (item is not null && item.Keep != keep)
        {
            item.Keep = keep;
            item = (item.Parent as AbstractType)?.TypeItem;
        }
    }

    private void Release(Transaction transaction, YStackItem stackItem) =>
        IterateDeletedStructs(transaction, stackItem.Deletions, s =>
        {
            if (s is Item item && InScope(item))
            {
                KeepItem(item, false);
            }
        });

    /// <summary>The types a transaction changed (not deleted ones) and all their ancestors (yjs <c>changedParentTypes</c> keys).</summary>
    private static HashSet<AbstractType> ChangedParentTypes(Transaction transaction)
    {
        var result = new HashSet<AbstractType>(ReferenceEqualityComparer.Instance);
        void Add(AbstractType type)
        {
            if (type.TypeItem is not null && type.TypeItem.Deleted)
            {
                return;
            }

            for (var t = type; ;)
            {
                result.Add(t);
                if (t.TypeItem?.Parent is not AbstractType parent)
                {
                    break;
                }

                t = parent;
            }
        }

        if (transaction.FirstChangedType is { } first)
        {
            Add(first);
        }

        if (transaction.MoreChanged is { } more)
        {
            foreach (var type in more.Keys)
            {
                Add(type);
            }
        }

        return result;
    }

    private void OnAfterTransaction(Transaction transaction)
    {
        if (_captureTransaction is not null && !_captureTransaction(transaction))
        {
            return;
        }

        var changed = ChangedParentTypes(transaction);
        var inScope = false;
        foreach (var entry in _scope)
        {
            if (entry == Doc || (entry is AbstractType type && changed.Contains(type)))
            {
                inScope = true;
                break;
            }
        }

        if (!inScope || !IsTracked(transaction.Origin))
        {
            return;
        }

        var undoing = Undoing;
        var redoing = Redoing;
        var stack = undoing ? _redoStack : _undoStack;
        if (undoing)
        {
            StopCapturing();
        }
        else if (!redoing)
        {
            Clear(clearUndoStack: false, clearRedoStack: true);
        }

        var insertions = new DeleteSet();
        foreach (var (client, list) in Doc.Store.Clients)
        {
            // In the store's client order, as yjs walks its state vector.
            var before = transaction.GetBeforeState(client);
            if (list.State > before)
            {
                insertions.Add(client, before, list.State - before);
            }
        }

        var deletions = transaction.DeleteSet;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var added = false;
        if (_lastChange > 0 && now - _lastChange < _captureTimeoutMs && stack.Count > 0 && !undoing && !redoing)
        {
            var last = stack[^1];
            last.Deletions = DeleteSet.Merge([last.Deletions, deletions]);
            last.Insertions = DeleteSet.Merge([last.Insertions, insertions]);
        }
        else
        {
            stack.Add(new YStackItem(deletions, insertions));
            added = true;
        }

        if (!undoing && !redoing)
        {
            _lastChange = now;
        }

        // Deleted content in scope must survive garbage collection so that undo can restore it.
        IterateDeletedStructs(transaction, deletions, s =>
        {
            if (s is Item item && InScope(item))
            {
                KeepItem(item, true);
            }
        });
        var args = new YStackItemEventArgs(stack[^1], transaction.Origin, undoing ? YStackKind.Redo : YStackKind.Undo, changed);
        (added ? StackItemAdded : StackItemUpdated)?.Invoke(this, args);
    }

    /// <summary>Calls <paramref name="visit"/> on every struct in the ranges, splitting at their edges (yjs <c>iterateDeletedStructs</c>).</summary>
    private static void IterateDeletedStructs(Transaction transaction, DeleteSet ds, Action<AbstractStruct> visit)
    {
        foreach (var (client, ranges) in ds.Clients)
        {
            if (!transaction.Doc.Store.Clients.TryGetValue(client, out var structs) || structs.Count == 0)
            {
                continue;
            }

            var state = structs.State;
            for (var i = 0; i < ranges.Count && ranges[i].Clock < state; i++)
            {
                StructStore.IterateStructs(transaction, structs, ranges[i].Clock, ranges[i].Length, visit);
            }
        }
    }
}
