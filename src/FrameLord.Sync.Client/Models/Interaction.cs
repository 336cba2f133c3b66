namespace FrameLord.Sync.Client.Models;

/// <summary>A meeting, call or message with a contact (entity type <c>interaction</c>).</summary>
public sealed class Interaction : SyncEntity
{
    public string? ContactId { get; set; }

    public string? Kind { get; set; }

    public DateTimeOffset? OccurredAt { get; set; }

    public string? Summary { get; set; }
}
