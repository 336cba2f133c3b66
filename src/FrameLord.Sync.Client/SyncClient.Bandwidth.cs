using FrameLord.Sync.Client.Bandwidth;
using FrameLord.Sync.Client.Transport;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    private BandwidthMeter _meter = null!;

    /// <summary>Past the month's cellular budget (<see cref="SyncClientOptions.CellularMonthlyBudgetBytes"/>): raised once a month.</summary>
    public event EventHandler<BandwidthBudgetEventArgs>? BandwidthBudgetExceeded;

    /// <summary>The network the device is on; the app sets it when it changes. Metering and the cellular policy go by it. Default unknown.</summary>
    public NetworkKind NetworkKind
    {
        get => _meter.Network;
        set => _meter.Network = value;
    }

    /// <summary>The bytes synced on <paramref name="kind"/> in the calendar month (UTC) of <paramref name="month"/> (default: now). Persisted across restarts.</summary>
    public BandwidthUsage GetBandwidthUsage(NetworkKind kind, DateTimeOffset? month = null) =>
        _meter.Usage(BandwidthMeter.MonthOf(month ?? _time.GetUtcNow()), kind);

    /// <summary>True while the cellular policy holds back note bodies and large pulls.</summary>
    public bool IsDeferringLargeSyncs =>
        _options.DeferLargeSyncsOverCellularBudget && _meter.Network == NetworkKind.Cellular && _meter.CellularOverBudget;

    private void StartMetering()
    {
        _meter = new BandwidthMeter(_db, _time, _options.CellularMonthlyBudgetBytes, e => BandwidthBudgetExceeded?.Invoke(this, e));
        if (_transport is IMeteredTransport metered)
        {
            metered.Transferred += OnTransferred;
        }
    }

    private void StopMetering()
    {
        if (_transport is IMeteredTransport metered)
        {
            metered.Transferred -= OnTransferred;
        }
    }

    private void OnTransferred(object? sender, TransferEventArgs e) => _meter.Record(e.SentBytes, e.ReceivedBytes);
}
