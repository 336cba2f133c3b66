using System.Text.Json;
using System.Text.Json.Serialization;

namespace FrameLord.Sync.Protocol;

/// <summary>A change that met concurrent edits of the same fields (DESIGN 3.2, 3.4, 4).</summary>
public sealed record Conflict
{
    public required string ConflictId { get; init; }
    public required string ChangeId { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    /// <summary>The contested fields.</summary>
    public required IReadOnlyList<string> Fields { get; init; }
    /// <summary><c>local_won</c>, <c>remote_won</c> or <c>mixed</c> (<see cref="ConflictResolutions"/>).</summary>
    public required string Resolution { get; init; }
    public required bool NeedsReview { get; init; }
    /// <summary>
    /// The entity after the push's merge. Left out (null) when the same push already carries it for an
    /// earlier change of that entity (see <see cref="WinnerRef"/>) and in recorded outcomes a replay
    /// returns: conflict records stay bounded (DESIGN 3.4), and pull brings the entity.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Winner { get; init; }
    /// <summary>When <see cref="Winner"/> is left out: the <c>change_id</c> of the conflict of the same push that carries it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WinnerRef { get; init; }
    /// <summary>The values the change pushed for the contested fields.</summary>
    public required JsonElement Local { get; init; }
    /// <summary>The values the change met for the contested fields.</summary>
    public required JsonElement Remote { get; init; }
    /// <summary>In conflict listings: <c>open</c>, <c>auto_resolved</c> or <c>resolved</c>; absent in push responses.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }
    /// <summary>The device whose change met the conflict.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeviceId { get; init; }
    /// <summary>Server time the conflict was recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>Values of <see cref="Conflict.Resolution"/>.</summary>
public static class ConflictResolutions
{
    public const string LocalWon = "local_won";
    public const string RemoteWon = "remote_won";
    public const string Mixed = "mixed";
}

/// <summary>Values of <see cref="Conflict.Status"/> and of the listing's <c>status</c> filter.</summary>
public static class ConflictStatuses
{
    public const string Open = "open";
    public const string AutoResolved = "auto_resolved";
    public const string Resolved = "resolved";
    /// <summary>Listing filter only: every conflict.</summary>
    public const string All = "all";
}

/// <summary>Values of <see cref="ResolveConflictRequest.Choice"/>.</summary>
public static class ResolutionChoices
{
    public const string KeepLocal = "keep_local";
    public const string UseRemote = "use_remote";
    public const string Merged = "merged";
}

/// <summary>
/// <c>GET /sync/conflicts?status=&amp;limit=&amp;cursor=</c> answer: one page, oldest first. <see cref="Cursor"/>
/// continues after this page's last conflict (null when the page is empty and no cursor was given);
/// <see cref="HasMore"/> says whether another page follows.
/// </summary>
public sealed record ConflictList
{
    public required IReadOnlyList<Conflict> Conflicts { get; init; }
    public string? Cursor { get; init; }
    public bool HasMore { get; init; }
}

/// <summary><c>POST /sync/conflicts/{id}/resolve</c> body.</summary>
public sealed record ResolveConflictRequest
{
    public required string Choice { get; init; }
    /// <summary>For <c>merged</c>: the fields to write.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Data { get; init; }
    public required string DeviceId { get; init; }
}

/// <summary>The answer to a resolution: the entity after it and its new version.</summary>
public sealed record ResolveConflictResponse
{
    public required JsonElement Entity { get; init; }
    public required long SyncVersion { get; init; }
}
