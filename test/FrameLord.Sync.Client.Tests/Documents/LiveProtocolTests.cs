using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Protocol.Lib0;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Documents;

/// <summary>The y-websocket codec and the awareness rules, without a socket.</summary>
public sealed class LiveProtocolTests
{
    [Fact]
    public void Messages_EncodeAndDecode_AsYProtocolsFramesThem()
    {
        // Bytes as y-protocols 1.0.7 writes them: type, step, length, payload.
        Assert.Equal(new byte[] { 0, 0, 2, 1, 2 }, YWebSocketMessage.SyncStep1([1, 2]));
        Assert.Equal(new byte[] { 0, 1, 1, 9 }, YWebSocketMessage.SyncStep2([9]));
        Assert.Equal(new byte[] { 0, 2, 1, 9 }, YWebSocketMessage.Update([9]));
        Assert.Equal(new byte[] { 1, 1, 0 }, YWebSocketMessage.Awareness([0]));
        Assert.Equal(new byte[] { 3 }, YWebSocketMessage.QueryAwareness());
        var big = new byte[300];
        var decoded = YWebSocketMessage.Decode(YWebSocketMessage.Update(big));
        Assert.Equal(YMessageKind.Update, decoded.Kind);
        Assert.Equal(300, decoded.Payload.Length);
        Assert.Equal(YMessageKind.SyncStep1, YWebSocketMessage.Decode([0, 0, 0]).Kind);
        Assert.Equal(YMessageKind.QueryAwareness, YWebSocketMessage.Decode([3]).Kind);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xde, 0xad, 0xbe, 0xef })]
    [InlineData(new byte[] { 0, 2, 50, 1, 2, 3 })]
    [InlineData(new byte[] { 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f })]
    [InlineData(new byte[] { 0, 7, 0 })]
    [InlineData(new byte[] { 1, 5, 200, 1, 1, 1, 1 })]
    public void Decode_HostileBytes_FailWithoutAllocatingFromTheirLengths(byte[] message)
    {
        Assert.Throws<Lib0FormatException>(() =>
        {
            var decoded = YWebSocketMessage.Decode(message);
            if (decoded.Kind == YMessageKind.Awareness)
            {
                AwarenessUpdate.Decode(decoded.Payload);
            }
        });
    }

    [Fact]
    public void Awareness_RemoteStates_NewerClockWins_RemovalRemoves_AndOutdatedOnesGo()
    {
        var time = new FakeTimeProvider();
        var awareness = new NoteAwareness(1, time);
        var events = new List<AwarenessChangedEventArgs>();
        awareness.Changed += (_, e) => events.Add(e);

        awareness.ApplyRemote(AwarenessUpdate.Encode([new AwarenessEntry(2, 3, """{"user":{"name":"b"}}""")]));
        Assert.Equal("b", awareness.GetState(2)!["user"]!["name"]!.GetValue<string>());
        Assert.Equal([2UL], events[^1].Added);

        // An older clock changes nothing; a newer one updates.
        awareness.ApplyRemote(AwarenessUpdate.Encode([new AwarenessEntry(2, 2, """{"user":{"name":"old"}}""")]));
        Assert.Equal("b", awareness.GetState(2)!["user"]!["name"]!.GetValue<string>());
        awareness.ApplyRemote(AwarenessUpdate.Encode([new AwarenessEntry(2, 4, """{"user":{"name":"b2"}}""")]));
        Assert.Equal([2UL], events[^1].Updated);

        // Removal at the same clock removes.
        awareness.ApplyRemote(AwarenessUpdate.Encode([new AwarenessEntry(2, 4, "null")]));
        Assert.Null(awareness.GetState(2));
        Assert.Equal([2UL], events[^1].Removed);

        // A state not renewed for 30 s goes.
        awareness.ApplyRemote(AwarenessUpdate.Encode([new AwarenessEntry(3, 1, "{}")]));
        time.Advance(TimeSpan.FromSeconds(29));
        awareness.Tick();
        Assert.NotNull(awareness.GetState(3));
        time.Advance(TimeSpan.FromSeconds(1));
        awareness.Tick();
        Assert.Null(awareness.GetState(3));
    }

    [Fact]
    public void Awareness_LocalState_IsSentRenewedEvery15s_AndNoPeerCanRemoveIt()
    {
        var time = new FakeTimeProvider();
        var awareness = new NoteAwareness(1, time);
        var sent = new List<AwarenessEntry>();
        awareness.LocalUpdate += update => sent.AddRange(AwarenessUpdate.Decode(update));

        awareness.SetLocalStateField("user", new JsonObject { ["name"] = "me" });
        Assert.Equal(new AwarenessEntry(1, 0, """{"user":{"name":"me"}}"""), sent[^1]);
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.Null(awareness.Tick());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1UL, AwarenessUpdate.Decode(awareness.Tick()!)[0].Clock);

        // Another client says this one left: it answers with a newer clock and keeps its state.
        awareness.ApplyRemote(AwarenessUpdate.Encode([new AwarenessEntry(1, 5, "null")]));
        Assert.NotNull(awareness.LocalState);
        Assert.Equal(6UL, sent[^1].Clock);
        Assert.False(sent[^1].Removed);

        // Leaving: a removal with a newer clock.
        var leaving = AwarenessUpdate.Decode(awareness.EncodeLeaving()!)[0];
        Assert.True(leaving.Removed);
        Assert.Equal(7UL, leaving.Clock);
    }
}
