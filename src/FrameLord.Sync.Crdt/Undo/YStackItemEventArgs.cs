using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>Which stack a step belongs to: one that undoes, or one that redoes.</summary>
public enum YStackKind
{
    /// <summary>The step is (or was) on the undo stack.</summary>
    Undo,

    /// <summary>The step is (or was) on the redo stack.</summary>
    Redo,
}

/// <summary>A step was added to, updated on or popped from a stack (yjs <c>StackItemEvent</c>).</summary>
public sealed class YStackItemEventArgs(YStackItem stackItem, object? origin, YStackKind kind, IReadOnlyCollection<AbstractType> changedParentTypes) : EventArgs
{
    /// <summary>The step.</summary>
    public YStackItem StackItem { get; } = stackItem;

    /// <summary>The origin of the transaction that made the change (the undo manager itself for undo and redo).</summary>
    public object? Origin { get; } = origin;

    /// <summary>Undo: the step is on the undo stack (or was popped by an undo); Redo: the redo stack.</summary>
    public YStackKind Kind { get; } = kind;

    /// <summary>The types the transaction changed, and their ancestors.</summary>
    public IReadOnlyCollection<AbstractType> ChangedParentTypes { get; } = changedParentTypes;
}

/// <summary>Stacks were cleared (yjs <c>stack-cleared</c>).</summary>
public sealed class YStackClearedEventArgs(bool undoStackCleared, bool redoStackCleared) : EventArgs
{
    /// <summary>Whether the undo stack was cleared.</summary>
    public bool UndoStackCleared { get; } = undoStackCleared;

    /// <summary>Whether the redo stack was cleared.</summary>
    public bool RedoStackCleared { get; } = redoStackCleared;
}
