using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Events;

/// <summary>The event of a <see cref="YMap"/>: <see cref="YEvent.Keys"/> lists the changed keys.</summary>
public sealed class YMapEvent : YEvent
{
    internal YMapEvent(YMap target, Transaction transaction, HashSet<string?> keysChanged)
        : base(target, transaction)
    {
        KeysChanged = keysChanged.Where(static k => k is not null).Select(static k => k!).ToHashSet();
    }

    /// <summary>The keys touched in the transaction.</summary>
    public IReadOnlySet<string> KeysChanged { get; }
}
