namespace FrameLord.Sync.Crdt;

/// <summary>The id of one inserted element: the client that created it and its clock (yjs <c>ID</c>).</summary>
/// <param name="Client">The creating client's id (at most 2^53-1).</param>
/// <param name="Clock">The element's clock in that client's sequence (at most 2^53-1).</param>
public readonly record struct YId(ulong Client, long Clock);
