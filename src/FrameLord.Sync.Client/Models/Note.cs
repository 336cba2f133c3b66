namespace FrameLord.Sync.Client.Models;

/// <summary>A note's metadata (entity type <c>note</c>); its body is a Yjs document synced separately (DESIGN 6).</summary>
public sealed class Note : SyncEntity
{
    public string? Title { get; set; }

    public string? FolderId { get; set; }

    public List<string>? Tags { get; set; }

    public bool Pinned { get; set; }
}
