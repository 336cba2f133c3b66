using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Events;

/// <summary>The event of a <see cref="YMap"/>: <see cref="YEvent.Keys"/> lists the changed keys.</summary>
public sealed class YMapEvent : YEvent
{
    internal YMapEvent(YMap target, Transaction transaction, ChangedKeys keysChanged)
        : base(target, transaction)
    {
        KeysChanged = keysChanged.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The keys touched in the transaction.</summary>
    public IReadOnlySet<string> KeysChanged { get; }
}
