namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Past the month's cellular budget (<see cref="SyncClientOptions.CellularMonthlyBudgetBytes"/>): raised once a month.</summary>
    public event EventHandler<BandwidthBudgetEventArgs>? BandwidthBudgetExceeded
    {
        add => _events.BandwidthBudgetExceeded += value;
        remove => _events.BandwidthBudgetExceeded -= value;
    }

    /// <summary>The network the device is on; the app sets it when it changes. Metering and the cellular policy go by it. Default unknown.</summary>
    public NetworkKind NetworkKind
    {
        get => _bandwidth.Network;
        set => _bandwidth.Network = value;
    }

    /// <summary>The bytes synced on <paramref name="kind"/> in the calendar month (UTC) of <paramref name="month"/> (default: now). Persisted across restarts.</summary>
    public BandwidthUsage GetBandwidthUsage(NetworkKind kind, DateTimeOffset? month = null) => _bandwidth.Usage(kind, month);

    /// <summary>True while the cellular policy holds back note bodies and large pulls.</summary>
    public bool IsDeferringLargeSyncs => _bandwidth.IsDeferringLargeSyncs;
}
