using FrameLord.Sync.Crdt.Events;

namespace FrameLord.Sync.Crdt.Types;

public abstract partial class AbstractType
{
    private List<Action<YEvent>>? _observers;
    private List<Action<IReadOnlyList<YEvent>>>? _deepObservers;

    internal bool HasDeepObservers => _deepObservers is { Count: > 0 };

    /// <summary>
    /// Calls <paramref name="handler"/> after every transaction that changed this type, with an event whose
    /// <see cref="YEvent.Delta"/> and <see cref="YEvent.Keys"/> describe the change. Dispose the result to stop.
    /// </summary>
    public IDisposable Observe(Action<YEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        (_observers ??= []).Add(handler);
        return new Subscription(() => _observers.Remove(handler));
    }

    /// <summary>
    /// Calls <paramref name="handler"/> after every transaction that changed this type or any type nested in it,
    /// with one event per changed type, shallowest first. Dispose the result to stop.
    /// </summary>
    public IDisposable ObserveDeep(Action<IReadOnlyList<YEvent>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        (_deepObservers ??= []).Add(handler);
        return new Subscription(() => _deepObservers.Remove(handler));
    }

    private protected virtual YEvent CreateEvent(Transaction transaction, ChangedKeys keysChanged) => new(this, transaction);

    /// <summary>Runs this type's observers for a finished transaction (yjs <c>_callObserver</c>).</summary>
    internal virtual void CallObserver(Transaction transaction, ChangedKeys keysChanged)
    {
        if (!transaction.Local && Markers is not null)
        {
            Markers.Clear();
        }

        if (!NeedsEvent())
        {
            return;
        }

        var ev = CreateEvent(transaction, keysChanged);
        for (var type = this; ; type = (AbstractType)type.TypeItem.Parent!)
        {
            if (!transaction.ChangedParentTypes.TryGetValue(type, out var events))
            {
                events = [];
                transaction.ChangedParentTypes.Add(type, events);
            }

            events.Add(ev);
            if (type.TypeItem is null || type.TypeItem.Parent is not AbstractType)
            {
                break;
            }
        }

        if (_observers is { Count: > 0 })
        {
            foreach (var handler in _observers.ToArray())
            {
                handler(ev);
            }
        }
    }

    private bool NeedsEvent()
    {
        if (_observers is { Count: > 0 })
        {
            return true;
        }

        for (var type = this; type is not null; type = type.TypeItem?.Parent as AbstractType)
        {
            if (type.HasDeepObservers)
            {
                return true;
            }
        }

        return false;
    }

    internal void CallDeepObservers(Transaction transaction, List<YEvent> events)
    {
        var live = new List<YEvent>(events.Count);
        foreach (var ev in events)
        {
            if (ev.Target.TypeItem is null || !ev.Target.TypeItem.Deleted)
            {
                ev.CurrentTarget = this;
                live.Add(ev);
            }
        }

        // Shallowest first; a stable sort keeps the order of equal depths.
        var ordered = live.Select(e => (Event: e, Depth: e.Path.Count)).OrderBy(x => x.Depth).Select(x => x.Event).ToList();
        foreach (var handler in _deepObservers!.ToArray())
        {
            foreach (var ev in ordered)
            {
                ev.CurrentTarget = this;
            }

            handler(ordered);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose()
        {
            _dispose?.Invoke();
            _dispose = null;
        }
    }
}
