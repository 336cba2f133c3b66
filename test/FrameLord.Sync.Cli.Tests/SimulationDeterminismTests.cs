using FrameLord.Sync.Cli.Simulation;

namespace FrameLord.Sync.Cli.Tests;

public class SimulationDeterminismTests
{
    private static readonly SimulationOptions Small = new() { Devices = 3, Days = 2, OpsPerDay = 40, Faults = FaultLevel.All, Seed = 11 };

    [Fact]
    public async Task TheSameSeed_GivesTheSameTrace_AndAnotherSeedAnother()
    {
        var first = await Simulator.RunAsync(Small);
        var second = await Simulator.RunAsync(Small);
        var other = await Simulator.RunAsync(Small with { Seed = 12 });

        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.Equal(first with { Violations = [] }, second with { Violations = [] }, ReportComparer.Instance);
        Assert.NotEqual(first.TraceHash, other.TraceHash);
        Assert.True(first.Edits > 50, $"only {first.Edits} edits");
    }

    /// <summary>Reports compare by value, dictionaries and lists included.</summary>
    private sealed class ReportComparer : IEqualityComparer<SimulationReport>
    {
        public static readonly ReportComparer Instance = new();

        public bool Equals(SimulationReport? x, SimulationReport? y) =>
            System.Text.Json.JsonSerializer.Serialize(x, SimulationJsonContext.Default.SimulationReport)
            == System.Text.Json.JsonSerializer.Serialize(y, SimulationJsonContext.Default.SimulationReport);

        public int GetHashCode(SimulationReport obj) => obj.TraceHash.GetHashCode(StringComparison.Ordinal);
    }
}
