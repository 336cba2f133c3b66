using System.Text.Json.Serialization;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The outcome of one change as recorded for idempotency: exactly one of <see cref="Succeeded"/>
/// and <see cref="Failed"/>, plus the conflict the change met, if any. A replay returns it as is.
/// </summary>
internal sealed record RecordedOutcome
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChangeSucceeded? Succeeded { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChangeFailed? Failed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Conflict? Conflict { get; init; }
}
