using System.Text.Json.Serialization;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>What a simulation run measured; <see cref="Passed"/> when every invariant held.</summary>
public sealed record SimulationReport
{
    public required int Seed { get; init; }
    public required int Devices { get; init; }
    public required int Days { get; init; }
    public required string Policy { get; init; }
    public required string Faults { get; init; }
    public required int Edits { get; init; }
    public required int Conflicts { get; init; }
    public required int NeedsReview { get; init; }
    public required double ConflictRatePer1000 { get; init; }
    public required IReadOnlyDictionary<string, int> ConflictsByField { get; init; }
    /// <summary>Acknowledged local writes that never reached the server and were not deleted by their own device. Must be 0.</summary>
    public required int LostWrites { get; init; }
    /// <summary>Writes overwritten without being seen by the overwriter and without a conflict keeping them. 0 under field LWW.</summary>
    public required int Overwritten { get; init; }
    public required int Duplicates { get; init; }
    public required bool Converged { get; init; }
    public required int LosersKept { get; init; }
    public required bool ContactZeroLocal { get; init; }
    public required string TraceHash { get; init; }
    /// <summary>Under the other policy (entity LWW when this run is field LWW): edits it overwrote silently.</summary>
    public required int? EntityPolicyOverwritten { get; init; }
    public required int Resolutions { get; init; }
    public required int DocumentEdits { get; init; }
    public required bool DocumentsConverged { get; init; }
    public required SimulationFaultCounts FaultCounts { get; init; }
    public required IReadOnlyList<string> Violations { get; init; }

    [JsonIgnore]
    public bool Passed => Violations.Count == 0;
}

/// <summary>How many faults were injected.</summary>
public sealed record SimulationFaultCounts(int Dropped, int Duplicated, int Reordered, int ClientRestarts, int ServerRestarts, int OfflinePeriods);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(SimulationReport))]
internal sealed partial class SimulationJsonContext : JsonSerializerContext;
