namespace FrameLord.Sync.Crdt.Events;

/// <summary>The change of one map key: the action and the value before it (null for an add).</summary>
/// <param name="Action">Add, update or delete.</param>
/// <param name="OldValue">The previous value for update and delete.</param>
public sealed record YMapKeyChange(YMapChangeAction Action, object? OldValue);
