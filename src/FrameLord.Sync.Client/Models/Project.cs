namespace FrameLord.Sync.Client.Models;

/// <summary>A project (entity type <c>project</c>), optionally in a pipeline.</summary>
public sealed class Project : SyncEntity
{
    public string? Name { get; set; }

    public string? Status { get; set; }

    public string? Description { get; set; }

    public string? PipelineId { get; set; }
}
