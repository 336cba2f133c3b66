namespace FrameLord.Sync.Protocol;

/// <summary>
/// The order of writes (DESIGN 4), the same on the server, which merges by it, and in the SDKs, which
/// predict by it which side of a contested field the server keeps: the seed's (sync_version, then client
/// time), then the device id (ordinal) as a fixed tie-break. Equal stamps on different values are ordered
/// by the values' canonical JSON.
/// </summary>
/// <param name="Version">The write's sync_version.</param>
/// <param name="TimestampTicks">The write's client_timestamp in UTC ticks.</param>
/// <param name="DeviceId">The device that made the write.</param>
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

/// <summary>The stamp that last set a field, and the entity version at which it was set (<see cref="AtVersion"/>).</summary>
public sealed record FieldStamp(long Version, long TimestampTicks, string DeviceId, long AtVersion)
{
    public Stamp Stamp => new(Version, TimestampTicks, DeviceId);

    public static FieldStamp From(Stamp stamp, long atVersion) => new(stamp.Version, stamp.TimestampTicks, stamp.DeviceId, atVersion);
}
