using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

public sealed partial class YDoc
{
    private readonly List<Transaction> _cleanups = [];
    private Transaction? _transaction;
    private long _transactionCounter;

    /// <summary>
    /// Runs <paramref name="action"/> in one transaction. Nested calls join the outer transaction. Observers,
    /// garbage collection, merging and the <see cref="UpdateV1"/> event happen when the outermost call returns.
    /// </summary>
    /// <param name="action">The changes to make.</param>
    /// <param name="origin">Any value identifying the source of the change; observers and update handlers see it. Default null.</param>
    public void Transact(Action<Transaction> action, object? origin = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var transaction = Begin(origin, local: true, out var initial);
        try
        {
            action(transaction);
        }
        finally
        {
            End(initial);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <paramref name="state"/> in one transaction, like
    /// <see cref="Transact(Action{Transaction}, object?)"/> but without a closure allocation per call (for
    /// hot loops: pass a static lambda and the values it needs as the state).
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the action.</typeparam>
    /// <param name="state">The values the action needs.</param>
    /// <param name="action">The changes to make.</param>
    /// <param name="origin">Observers and update handlers see it. Default null.</param>
    public void Transact<TState>(TState state, Action<Transaction, TState> action, object? origin = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var transaction = Begin(origin, local: true, out var initial);
        try
        {
            action(transaction, state);
        }
        finally
        {
            End(initial);
        }
    }

    /// <summary>Starts a transaction or joins the current one. Pair with <see cref="End"/> in a finally block.</summary>
    internal Transaction Begin(object? origin, bool local, out bool initial)
    {
        if (_transaction is not null)
        {
            initial = false;
            return _transaction;
        }

        initial = true;
        if (_cleanups.Count > 0)
        {
            // An observer starts a transaction while earlier ones are still being cleaned up: pin their before-state.
            foreach (var pendingCleanup in _cleanups)
            {
                pendingCleanup.FreezeBeforeState();
            }
        }

        _transaction = new Transaction(this, origin, local, ++_transactionCounter);
        _cleanups.Add(_transaction);
        return _transaction;
    }

    /// <summary>Whether the transaction's cleanup has finished (its events can no longer be computed).</summary>
    internal bool IsCleanedUp(Transaction transaction) => !_cleanups.Contains(transaction);

    internal void End(bool initial)
    {
        if (!initial)
        {
            return;
        }

        var finish = _cleanups.Count > 0 && _transaction == _cleanups[0];
        _transaction = null;
        if (!finish)
        {
            return;
        }

        // Observers may start new transactions; they are appended and cleaned up in turn. Every transaction is
        // cleaned up even when an observer throws (as in yjs); the first exception is rethrown at the end.
        Exception? failure = null;
        for (var i = 0; i < _cleanups.Count; i++)
        {
            try
            {
                Cleanup(_cleanups[i]);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        _cleanups.Clear();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Cleanup(Transaction transaction)
    {
        var store = Store;
        var ds = transaction.HasDeletes ? transaction.DeleteSet : null;
        ds?.SortAndMerge();
        transaction.ComputeChanges();
        try
        {
            CallObservers(transaction);
        }
        finally
        {
            if (ds is not null)
            {
                if (Gc)
                {
                    TryGcDeleteSet(ds);
                }

                TryMergeDeleteSet(ds);
            }
            foreach (var (client, before, _) in transaction.Changes)
            {
                var structs = store.Clients[client];
                var firstChange = Math.Max(structs.FindIndex(before), 1);
                for (var i = structs.Count - 1; i >= firstChange;)
                {
                    i -= 1 + TryToMergeWithLefts(structs, i);
                }
            }

            var mergeStructs = transaction.HasMergeStructs ? transaction.MergeStructs : null;
            for (var i = (mergeStructs?.Count ?? 0) - 1; i >= 0; i--)
            {
                var s = mergeStructs![i];
                var structs = store.Clients[s.Client];
                var pos = structs.FindIndex(s.Clock);
                if (pos + 1 < structs.Count && TryToMergeWithLefts(structs, pos + 1) > 1)
                {
                    continue;
                }

                if (pos > 0)
                {
                    TryToMergeWithLefts(structs, pos);
                }
            }

            if (!transaction.Local && ChangesClient(transaction, ClientId))
            {
                // Another replica wrote with our client id: continue under a new one (as yjs does).
                ClientId = GenerateClientId();
            }

            var handler = UpdateV1;
            if (handler is not null)
            {
                var update = UpdateEncoder.EncodeTransaction(transaction);
                if (update is not null)
                {
                    handler(this, new YUpdateEventArgs(update, transaction.Origin, transaction.Local));
                }
            }
        }
    }

    private static void CallObserver(Transaction transaction, AbstractType type, ChangedKeys keys)
    {
        if (type.TypeItem is null || !type.TypeItem.Deleted)
        {
            type.CallObserver(transaction, keys);
        }
    }

    private static bool ChangesClient(Transaction transaction, ulong client)
    {
        foreach (var change in transaction.Changes)
        {
            if (change.Client == client)
            {
                return true;
            }
        }

        return false;
    }

    private void CallObservers(Transaction transaction)
    {
        if (transaction.FirstChangedType is { } first)
        {
            CallObserver(transaction, first, transaction.FirstChangedKeys!);
        }

        if (transaction.MoreChanged is { Count: > 0 } more)
        {
            foreach (var (type, keys) in more)
            {
                CallObserver(transaction, type, keys);
            }
        }

        if (!transaction.HasChangedParentTypes)
        {
            RaiseAfterTransaction(transaction);
            if (transaction.NeedFormattingCleanup)
            {
                YText.CleanupAfterTransaction(transaction);
            }

            return;
        }

        foreach (var (type, events) in transaction.ChangedParentTypes)
        {
            if (type.HasDeepObservers && (type.TypeItem is null || !type.TypeItem.Deleted))
            {
                type.CallDeepObservers(transaction, events);
            }
        }

        RaiseAfterTransaction(transaction);
        if (transaction.NeedFormattingCleanup)
        {
            YText.CleanupAfterTransaction(transaction);
        }
    }

    private List<Action<Transaction>>? _afterTransaction;

    /// <summary>
    /// Handlers run after a transaction's observers, before its deleted content is garbage collected (yjs
    /// <c>afterTransaction</c>): the undo manager keeps what it may restore from being collected here.
    /// </summary>
    internal void AddAfterTransaction(Action<Transaction> handler) => (_afterTransaction ??= []).Add(handler);

    internal void RemoveAfterTransaction(Action<Transaction> handler) => _afterTransaction?.Remove(handler);

    private void RaiseAfterTransaction(Transaction transaction)
    {
        if (_afterTransaction is { Count: > 0 } handlers)
        {
            foreach (var handler in handlers.ToArray())
            {
                handler(transaction);
            }
        }
    }

    private void TryGcDeleteSet(DeleteSet ds)
    {
        foreach (var (client, ranges) in ds.Clients)
        {
            var structs = Store.Clients[client];
            for (var di = ranges.Count - 1; di >= 0; di--)
            {
                var range = ranges[di];
                var end = range.End;
                for (var si = structs.FindIndex(range.Clock); si >= 0 && si < structs.Count; si++)
                {
                    var s = structs[si];
                    if (s.Clock >= end)
                    {
                        break;
                    }

                    if (s is Item { Deleted: true, Keep: false } item)
                    {
                        item.Gc(Store, parentGcd: false);
                    }
                }
            }
        }
    }

    private void TryMergeDeleteSet(DeleteSet ds)
    {
        foreach (var (client, ranges) in ds.Clients)
        {
            var structs = Store.Clients[client];
            for (var di = ranges.Count - 1; di >= 0; di--)
            {
                var range = ranges[di];
                var si = Math.Min(structs.Count - 1, 1 + structs.FindIndex(range.End - 1));
                while (si > 0 && structs[si].Clock >= range.Clock)
                {
                    si -= 1 + TryToMergeWithLefts(structs, si);
                }
            }
        }
    }

    /// <summary>
    /// Merges the struct at <paramref name="pos"/> into its left neighbours while possible; returns how many
    /// merged. The run is found first and merged left to right, so each struct's content is appended once:
    /// merging right to left (as yjs does, where strings are ropes) would copy the growing right part at
    /// every step, quadratic in the length of a run of unmerged one-character items.
    /// </summary>
    private static int TryToMergeWithLefts(StructList structs, int pos)
    {
        var first = pos;
        while (first > 0)
        {
            var left = structs[first - 1];
            var right = structs[first];
            if (left.IsDeleted != right.IsDeleted || left.GetType() != right.GetType() || !left.CanMergeWith(right))
            {
                break;
            }

            first--;
        }

        if (first == pos)
        {
            return 0;
        }

        var target = structs[first];
        for (var i = first + 1; i <= pos; i++)
        {
            var right = structs[i];
            if (!target.MergeWith(right))
            {
                throw new InvalidOperationException("A struct that could merge did not.");
            }

            if (right is Item { ParentSub: { } key } rightItem && rightItem.Parent is AbstractType parent && parent.MapItemOrNull(key) == rightItem)
            {
                parent.SetMapItem(key, (Item)target);
            }
        }

        var merged = pos - first;
        structs.RemoveRange(first + 1, merged);
        return merged;
    }
}
