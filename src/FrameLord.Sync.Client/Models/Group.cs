namespace FrameLord.Sync.Client.Models;

/// <summary>A named set of contacts (entity type <c>group</c>).</summary>
public sealed class Group : SyncEntity
{
    public string? Name { get; set; }

    public List<string>? ContactIds { get; set; }
}
