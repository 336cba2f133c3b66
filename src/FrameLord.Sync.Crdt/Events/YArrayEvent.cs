using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Events;

/// <summary>The event of a <see cref="YArray"/>: <see cref="YEvent.Delta"/> holds inserts (value lists), deletes and retains.</summary>
public sealed class YArrayEvent : YEvent
{
    internal YArrayEvent(YArray target, Transaction transaction)
        : base(target, transaction)
    {
    }
}
