namespace FrameLord.Sync.Client.Engine;

/// <summary>
/// The order of writes the server merges by (DESIGN 4): sync_version, then client time, then the
/// device id (ordinal). The client uses it to predict which side of a contested field the server keeps.
/// </summary>
internal readonly record struct Stamp(long Version, long TimestampTicks, string DeviceId) : IComparable<Stamp>
{
    public int CompareTo(Stamp other)
    {
        var c = Version.CompareTo(other.Version);
        if (c != 0)
        {
            return c;
        }

        c = TimestampTicks.CompareTo(other.TimestampTicks);
        return c != 0 ? c : string.CompareOrdinal(DeviceId, other.DeviceId);
    }

    public static bool operator >(Stamp left, Stamp right) => left.CompareTo(right) > 0;

    public static bool operator <(Stamp left, Stamp right) => left.CompareTo(right) < 0;

    public static bool operator >=(Stamp left, Stamp right) => left.CompareTo(right) >= 0;

    public static bool operator <=(Stamp left, Stamp right) => left.CompareTo(right) <= 0;
}
