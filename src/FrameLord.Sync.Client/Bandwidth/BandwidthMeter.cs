using System.Globalization;
using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client.Bandwidth;

/// <summary>
/// Meters the bytes of every exchange per calendar month (UTC, on the injected clock) and per network kind,
/// persisted in the local store (a meta row per month and kind), and raises the budget warning once a month
/// when the cellular bytes pass the budget (seed Open Question 4).
/// </summary>
internal sealed class BandwidthMeter(LocalDatabase db, TimeProvider time, long cellularBudgetBytes, Action<BandwidthBudgetEventArgs> warn)
{
    private readonly Lock _lock = new();

    /// <summary>The network the app says the device is on.</summary>
    public NetworkKind Network { get; set; } = NetworkKind.Unknown;

    public static string MonthOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public void Record(long sent, long received)
    {
        var month = MonthOf(time.GetUtcNow());
        var kind = Network;
        BandwidthUsage cellular;
        bool crossed;
        lock (_lock)
        {
            var (before, after) = db.Write(w =>
            {
                var old = Parse(w.GetMeta(Key(month, kind)));
                var now = new BandwidthUsage(old.SentBytes + sent, old.ReceivedBytes + received);
                w.SetMeta(Key(month, kind), string.Create(CultureInfo.InvariantCulture, $"{now.SentBytes},{now.ReceivedBytes}"));
                return (old, now);
            });
            cellular = after;
            crossed = kind == NetworkKind.Cellular && before.TotalBytes <= cellularBudgetBytes && after.TotalBytes > cellularBudgetBytes;
        }

        if (crossed)
        {
            warn(new BandwidthBudgetEventArgs(month, cellular, cellularBudgetBytes));
        }
    }

    public BandwidthUsage Usage(string month, NetworkKind kind) => Parse(db.Reader.Meta(Key(month, kind)));

    /// <summary>True when this month's cellular bytes are past the budget.</summary>
    public bool CellularOverBudget => Usage(MonthOf(time.GetUtcNow()), NetworkKind.Cellular).TotalBytes > cellularBudgetBytes;

    private static string Key(string month, NetworkKind kind) =>
        string.Create(CultureInfo.InvariantCulture, $"bandwidth:{month}:{kind.ToString().ToLowerInvariant()}");

    private static BandwidthUsage Parse(string? value)
    {
        if (value is null || value.Split(',') is not [var sent, var received])
        {
            return default;
        }

        return new BandwidthUsage(long.Parse(sent, CultureInfo.InvariantCulture), long.Parse(received, CultureInfo.InvariantCulture));
    }
}
