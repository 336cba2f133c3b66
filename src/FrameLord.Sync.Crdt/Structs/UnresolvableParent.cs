namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Marks a decoded item whose parent turned out to be garbage collected (or not a type): it is integrated
/// as a GC struct. The original parent reference is kept so the item can still be re-encoded if it ends up
/// in the pending update instead.
/// </summary>
internal sealed class UnresolvableParent(object? original)
{
    public object? Original { get; } = original;
}
