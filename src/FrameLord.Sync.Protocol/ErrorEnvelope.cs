using System.Text.Json.Serialization;

namespace FrameLord.Sync.Protocol;

/// <summary>The body of every whole-request error: <c>{"error": {...}}</c> (DESIGN 3).</summary>
public sealed record ErrorEnvelope(ErrorBody Error);

/// <summary>An error: a stable <see cref="Code"/> from <see cref="ErrorCodes"/> and a human message.</summary>
public sealed record ErrorBody
{
    public required string Code { get; init; }

    public required string Message { get; init; }

    /// <summary>On 426 SCHEMA_MISMATCH: the version the client must move to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequiredVersion { get; init; }

    /// <summary>On 429 RATE_LIMITED: seconds to wait, as in the Retry-After header.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RetryAfterSeconds { get; init; }
}
