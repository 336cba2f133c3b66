namespace FrameLord.Sync.Client.Models;

/// <summary>An ordered list of stages projects move through (entity type <c>pipeline</c>).</summary>
public sealed class Pipeline : SyncEntity
{
    public string? Name { get; set; }

    public List<string>? Stages { get; set; }
}
