namespace FrameLord.Sync.Crdt.Structs;

/// <summary>The id of one clock position: the creating client and its clock.</summary>
internal readonly record struct StructId(ulong Client, long Clock);
