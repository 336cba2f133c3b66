namespace FrameLord.Sync.Server.Storage;

/// <summary>Timestamps are stored as UTC ticks (100 ns) in 64-bit integer columns on every backend.</summary>
internal static class Ticks
{
    public static long From(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);
}
