using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// One undo or redo step (yjs <c>StackItem</c>): the clock ranges it inserted and the ones it deleted, plus
/// application metadata (for example a selection to restore when the step is popped).
/// </summary>
public sealed class YStackItem
{
    internal YStackItem(DeleteSet deletions, DeleteSet insertions)
    {
        Deletions = deletions;
        Insertions = insertions;
    }

    internal DeleteSet Deletions { get; set; }

    internal DeleteSet Insertions { get; set; }

    /// <summary>Metadata the application stores with the step (yjs <c>stackItem.meta</c>); empty at first.</summary>
    public IDictionary<string, object?> Meta { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
