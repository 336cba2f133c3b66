namespace FrameLord.Sync.Crdt;

/// <summary>Options of a <see cref="YUndoManager"/> (yjs <c>UndoManagerOptions</c>).</summary>
public sealed class YUndoManagerOptions
{
    /// <summary>
    /// Changes less than this apart are merged into one step (default 500 ms, as in yjs). Zero: every tracked
    /// transaction is its own step. <see cref="YUndoManager.StopCapturing"/> ends a step early.
    /// </summary>
    public TimeSpan CaptureTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The origins whose transactions are tracked (default: only <c>null</c>, the origin of plain
    /// <see cref="YDoc.Transact(Action{Transaction}, object?)"/> calls). A <see cref="Type"/> in the set tracks
    /// every origin of that type. The undo manager always tracks itself. Remote updates applied with another
    /// origin are never undone: undo only reverts this replica's own changes.
    /// </summary>
    public IEnumerable<object?>? TrackedOrigins { get; init; }

    /// <summary>Return false to leave a transaction out of the undo stack (default: every tracked one counts).</summary>
    public Func<Transaction, bool>? CaptureTransaction { get; init; }

    /// <summary>
    /// Let undo overwrite map entries a remote replica set after the tracked change (default false: such an
    /// undo step leaves the remote value, as in yjs).
    /// </summary>
    public bool IgnoreRemoteMapChanges { get; init; }

    /// <summary>The clock for <see cref="CaptureTimeout"/> (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider? TimeProvider { get; init; }
}
