namespace FrameLord.Sync.Client;

/// <summary>The network the device is on, as the app tells the SDK (<see cref="SyncClient.NetworkKind"/>).</summary>
public enum NetworkKind
{
    Unknown,
    Wifi,
    Cellular,
}

/// <summary>Bytes sent and received on one kind of network in one calendar month (UTC).</summary>
public readonly record struct BandwidthUsage(long SentBytes, long ReceivedBytes)
{
    public long TotalBytes => SentBytes + ReceivedBytes;
}

/// <summary>The cellular bytes of the month went past <see cref="SyncClientOptions.CellularMonthlyBudgetBytes"/>.</summary>
public sealed class BandwidthBudgetEventArgs(string month, BandwidthUsage cellular, long budgetBytes) : EventArgs
{
    /// <summary>The calendar month, <c>yyyy-MM</c> (UTC).</summary>
    public string Month { get; } = month;

    public BandwidthUsage Cellular { get; } = cellular;

    public long BudgetBytes { get; } = budgetBytes;
}
