using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>A fully decoded and checked V1 update: client sections in input order and the delete set.</summary>
internal sealed class DecodedUpdate(List<ClientStructs> sections, DeleteSet deleteSet)
{
    public List<ClientStructs> Sections { get; } = sections;

    public DeleteSet DeleteSet { get; } = deleteSet;
}
