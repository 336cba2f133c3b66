using System.Text.Json.Serialization;

namespace FrameLord.Sync.Client.Models;

/// <summary>A person (entity type <c>contact</c>).</summary>
public sealed class Contact : SyncEntity
{
    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Status { get; set; }

    public string? Company { get; set; }

    public string? Title { get; set; }

    public List<string>? Tags { get; set; }

    /// <summary>True only on the user's own Contact Zero, which stays on the device and is never synced.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsContactZero { get; set; }
}
