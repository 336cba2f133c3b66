namespace FrameLord.Sync.Crdt;

/// <summary>A Yjs-compatible document.</summary>
public sealed class YDoc
{
}
