using System.Text.Json.Serialization;

namespace FrameLord.Sync.Server.Observability;

/// <summary>The body of a successful probe, and of <c>/healthz</c> when the store is down.</summary>
public sealed record HealthReport
{
    /// <summary><c>ok</c> or <c>unavailable</c> (<c>/healthz</c>), <c>live</c>, <c>ready</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The store provider, <c>sqlite</c> or <c>postgres</c>; absent on liveness, which reads no store.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Storage { get; init; }

    /// <summary>On readiness: the schema version the store holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SchemaVersion { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
