namespace FrameLord.Sync.Client;

/// <summary>Which awareness clients of a note came, changed their state, or left (<see cref="NoteAwareness.Changed"/>).</summary>
public sealed class AwarenessChangedEventArgs(IReadOnlyList<ulong> added, IReadOnlyList<ulong> updated, IReadOnlyList<ulong> removed, bool isLocal) : EventArgs
{
    public IReadOnlyList<ulong> Added { get; } = added;

    public IReadOnlyList<ulong> Updated { get; } = updated;

    public IReadOnlyList<ulong> Removed { get; } = removed;

    /// <summary>True when the app changed this device's own state; false when it came from the socket or a timeout.</summary>
    public bool IsLocal { get; } = isLocal;
}
