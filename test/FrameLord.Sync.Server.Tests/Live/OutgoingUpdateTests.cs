using FrameLord.Sync.Server.Live.Sockets;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>A fan-out frames an update once per framing and hands every socket of that framing the same frame.</summary>
public sealed class OutgoingUpdateTests
{
    [Fact]
    public void OneFramingFramesOnce_AnotherFramesAgain()
    {
        var framed = 0;
        byte[] Frame(byte[] update, byte tag)
        {
            framed++;
            return [tag, .. update];
        }

        var outgoing = new OutgoingUpdate([1, 2, 3]);
        var first = outgoing.Framed("a", u => Frame(u, 9));
        var again = outgoing.Framed("a", u => Frame(u, 9));
        var other = outgoing.Framed("b", u => Frame(u, 8));

        Assert.Same(first, again);
        Assert.Equal([9, 1, 2, 3], first);
        Assert.Equal([8, 1, 2, 3], other);
        Assert.Equal(2, framed);
    }
}
