using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Tests.Engine;

public class StampTests
{
    [Fact]
    public void CompareTo_VersionFirst_ThenTime_ThenDevice()
    {
        var baseline = new Stamp(6, 100, "dev_b");
        Assert.True(new Stamp(7, 0, "dev_a") > baseline);
        Assert.True(new Stamp(6, 101, "dev_a") > baseline);
        Assert.True(new Stamp(6, 100, "dev_c") > baseline);
        Assert.True(new Stamp(6, 100, "dev_a") < baseline);
        Assert.Equal(0, new Stamp(6, 100, "dev_b").CompareTo(baseline));
    }

    [Fact]
    public void Cursor_RoundTrips_AndRejectsForeignStrings()
    {
        foreach (var seq in new long[] { 0, 1, 500, long.MaxValue })
        {
            Assert.True(Cursor.TryDecode(Cursor.Encode(seq), out var back));
            Assert.Equal(seq, back);
        }

        Assert.False(Cursor.TryDecode("", out _));
        Assert.False(Cursor.TryDecode("not-a-cursor", out _));
        Assert.False(Cursor.TryDecode("2025-12-05T10:00:00Z", out _));
        Assert.False(Cursor.TryDecode("AgAAAAAAAAAB", out _)); // unknown format version
    }
}
