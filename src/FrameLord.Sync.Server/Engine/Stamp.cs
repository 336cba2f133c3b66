namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The order of writes (DESIGN 4): the seed's (sync_version, then client time), then the device id
/// as a fixed tie-break. Equal stamps on different values are ordered by the values' canonical JSON.
/// </summary>
public readonly record struct Stamp(long Version, long TimestampTicks, string DeviceId) : IComparable<Stamp>
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

/// <summary>The stamp that last set a field, and the entity version at which it was set.</summary>
public sealed record FieldStamp(long V, long T, string D, long At)
{
    public Stamp Stamp => new(V, T, D);

    public static FieldStamp From(Stamp stamp, long atVersion) => new(stamp.Version, stamp.TimestampTicks, stamp.DeviceId, atVersion);
}
