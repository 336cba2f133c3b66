using FrameLord.Sync.Client.Bandwidth;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The bandwidth budget (seed Open Question 4): meters what a metered transport reports, and says when the
/// cellular policy holds back note bodies and large pulls. Detach it before the store closes.
/// </summary>
internal sealed class BandwidthPolicy
{
    private readonly BandwidthMeter _meter;
    private readonly ISyncTransport _transport;
    private readonly TimeProvider _time;
    private readonly bool _deferOverBudget;

    public BandwidthPolicy(LocalDatabase db, TimeProvider time, SyncClientOptions options, ISyncTransport transport, SyncEvents events)
    {
        _meter = new BandwidthMeter(db, time, options.CellularMonthlyBudgetBytes, events.OnBandwidthBudgetExceeded);
        _transport = transport;
        _time = time;
        _deferOverBudget = options.DeferLargeSyncsOverCellularBudget;
        if (transport is IMeteredTransport metered)
        {
            metered.Transferred += OnTransferred;
        }
    }

    public NetworkKind Network
    {
        get => _meter.Network;
        set => _meter.Network = value;
    }

    /// <summary>True while the cellular policy holds back note bodies and large pulls.</summary>
    public bool IsDeferringLargeSyncs => _deferOverBudget && _meter.Network == NetworkKind.Cellular && _meter.CellularOverBudget;

    public BandwidthUsage Usage(NetworkKind kind, DateTimeOffset? month) => _meter.Usage(BandwidthMeter.MonthOf(month ?? _time.GetUtcNow()), kind);

    public void Detach()
    {
        if (_transport is IMeteredTransport metered)
        {
            metered.Transferred -= OnTransferred;
        }
    }

    private void OnTransferred(object? sender, TransferEventArgs e) => _meter.Record(e.SentBytes, e.ReceivedBytes);
}
