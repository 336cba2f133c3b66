namespace FrameLord.Sync.Client.Models;

/// <summary>A folder of notes (entity type <c>folder</c>); <see cref="ParentId"/> null at the root.</summary>
public sealed class Folder : SyncEntity
{
    public string? Name { get; set; }

    public string? ParentId { get; set; }
}
