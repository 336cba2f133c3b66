using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>Which faults the simulated network and machines inject.</summary>
public enum FaultLevel
{
    /// <summary>A perfect network; devices are only offline when the workload says so.</summary>
    None,

    /// <summary>Dropped requests and responses, duplicated and reordered deliveries, short partitions.</summary>
    Net,

    /// <summary>Net, plus client crashes and restarts, server restarts and clock skew up to ±10 minutes.</summary>
    All,
}

/// <summary>The parameters of one simulation run. The same values give the same run, event for event.</summary>
public sealed record SimulationOptions
{
    /// <summary>Devices of the one simulated user. Default 3.</summary>
    public int Devices { get; init; } = 3;

    /// <summary>Simulated days. Default 3.</summary>
    public int Days { get; init; } = 3;

    /// <summary>Local edits per device per day, made during waking hours. Default 60.</summary>
    public int OpsPerDay { get; init; } = 60;

    /// <summary>The share of time a device spends offline, in periods of hours to days. Default 0.2.</summary>
    public double OfflineRate { get; init; } = 0.2;

    public int Seed { get; init; } = 1;

    public ConflictPolicy Policy { get; init; } = ConflictPolicy.Field;

    public FaultLevel Faults { get; init; } = FaultLevel.None;

    /// <summary>Whether note bodies (Yjs documents) are edited too. Default true.</summary>
    public bool Documents { get; init; } = true;

    /// <summary>Length of one simulation step. Default 10 minutes.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where the server's and the devices' SQLite files go; default a new temporary folder, deleted afterwards.</summary>
    public string? WorkFolder { get; init; }

    /// <summary>
    /// For testing the checks themselves: the server acknowledges one pushed change in this many without
    /// applying it (a planted lost-write bug the invariants must catch). 0, the default, plants nothing.
    /// </summary>
    internal int SabotageEveryNthChange { get; init; }

    public void Validate()
    {
        if (Devices is < 1 or > 50)
        {
            throw new ArgumentOutOfRangeException(nameof(Devices), Devices, "devices must be 1 to 50");
        }

        if (Days is < 1 or > 365)
        {
            throw new ArgumentOutOfRangeException(nameof(Days), Days, "days must be 1 to 365");
        }

        if (OpsPerDay is < 0 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(OpsPerDay), OpsPerDay, "ops-per-day must be 0 to 10,000");
        }

        if (OfflineRate is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(OfflineRate), OfflineRate, "offline-rate must be at least 0 and below 1");
        }
    }
}
