using FrameLord.Sync.Cli.Simulation;
using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Cli.Tests;

public class SimulationInvariantTests
{
    private static readonly SimulationOptions AllFaults = new() { Devices = 4, Days = 2, OpsPerDay = 50, OfflineRate = 0.2, Faults = FaultLevel.All };

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 20));

    /// <summary>20 seeds with every fault: each invariant is asserted on its own, with the seed in the message.</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task EveryInvariantHolds_UnderAllFaults(int seed)
    {
        var report = await Simulator.RunAsync(AllFaults with { Seed = seed });
        var where = $"seed {seed}: {string.Join("; ", report.Violations)}";

        Assert.True(report.Edits > 100, where);
        Assert.True(report.Converged, where);
        Assert.True(report.LostWrites == 0, where);
        Assert.True(report.Overwritten == 0, where);
        Assert.True(report.Duplicates == 0, where);
        Assert.True(report.LosersKept == report.Conflicts, where);
        Assert.True(report.ContactZeroLocal, where);
        Assert.True(report.DocumentsConverged, where);
        Assert.Empty(report.Violations);
        // The faults really happened.
        Assert.True(report.FaultCounts.Dropped > 0 && report.FaultCounts.ClientRestarts > 0, where);
    }

    /// <summary>The checks are not blind: a server that acknowledges changes it never applies is caught.</summary>
    [Fact]
    public async Task APlantedLostWriteBug_IsCaught()
    {
        var report = await Simulator.RunAsync(new SimulationOptions { Devices = 3, Days = 2, OpsPerDay = 40, Seed = 5, SabotageEveryNthChange = 25 });

        Assert.False(report.Passed);
        Assert.True(report.LostWrites > 0 || !report.Converged, string.Join("; ", report.Violations));
    }

    /// <summary>The same workload under entity LWW overwrites edits that field LWW keeps.</summary>
    [Fact]
    public async Task EntityLww_OverwritesWhatFieldLwwKeeps()
    {
        var overwritten = 0;
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var report = await Simulator.RunComparedAsync(new SimulationOptions { Devices = 3, Days = 3, OpsPerDay = 60, Seed = seed, OfflineRate = 0.3 });
            Assert.True(report.Passed, string.Join("; ", report.Violations));
            Assert.Equal("field", report.Policy);
            Assert.NotNull(report.EntityPolicyOverwritten);
            overwritten += report.EntityPolicyOverwritten.Value;
        }

        Assert.True(overwritten > 0, "entity LWW overwrote nothing in three runs with concurrent edits");
    }

    [Fact]
    public async Task UnderEntityLww_TheRunStillConvergesAndLosesNothingToFaults()
    {
        var report = await Simulator.RunAsync(AllFaults with { Seed = 21, Policy = ConflictPolicy.Entity });

        Assert.True(report.Converged, string.Join("; ", report.Violations));
        Assert.Equal(0, report.LostWrites);
        Assert.Equal(0, report.Duplicates);
        Assert.Empty(report.Violations);
    }
}
