using FrameLord.Sync.Client;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>One simulated device: its SDK client over its own SQLite file, its clock, and its connectivity.</summary>
internal sealed class SimDevice(int index, string databasePath, SkewedTimeProvider clock, InMemoryTransport transport, int seed)
{
    public int Index { get; } = index;

    public string DeviceId => $"dev_{Index}";

    public SkewedTimeProvider Clock { get; } = clock;

    public SyncClient Client { get; private set; } = null!;

    public int Restarts { get; private set; }

    /// <summary>Offline (by the workload) until this virtual time.</summary>
    public DateTimeOffset OfflineUntil { get; set; }

    /// <summary>Steps left in a short network partition.</summary>
    public int PartitionSteps { get; set; }

    public async Task OpenAsync(AuthResponse account)
    {
        Client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = databasePath,
            Transport = transport,
            TimeProvider = Clock,
            Random = new Random(seed * 7919 + Index * 131 + Restarts),
            DeviceId = DeviceId,
        });
        await Client.UseAccountAsync(account);
    }

    /// <summary>The process dies and starts again: everything in memory is gone, the database stays.</summary>
    public async Task RestartAsync(AuthResponse account)
    {
        await Client.DisposeAsync();
        Restarts++;
        await OpenAsync(account);
    }
}
