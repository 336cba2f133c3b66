namespace FrameLord.Sync.Client.Models;

/// <summary>A to-do (entity type <c>task</c>; named so it does not clash with <see cref="System.Threading.Tasks.Task"/>).</summary>
public sealed class TaskItem : SyncEntity
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    public string? Status { get; set; }

    public string? Priority { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public string? ContactId { get; set; }

    public string? ProjectId { get; set; }
}
