using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>A relative position resolved against a document (yjs <c>AbsolutePosition</c>).</summary>
/// <param name="Type">The type the position is in.</param>
/// <param name="Index">The index in UTF-16 code units (text) or elements (arrays).</param>
/// <param name="Assoc">The association of the relative position it came from.</param>
public sealed record YAbsolutePosition(AbstractType Type, long Index, long Assoc);
