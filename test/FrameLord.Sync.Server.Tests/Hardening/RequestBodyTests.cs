using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Http;
using Microsoft.AspNetCore.Http;

namespace FrameLord.Sync.Server.Tests.Hardening;

public sealed class RequestBodyTests
{
    [Fact]
    public async Task ReadAsync_ABodyAnnouncing10MiB_GetsABufferForWhatArrived_NotForTheAnnouncement()
    {
        var json = Encoding.UTF8.GetBytes("""{"email":"a@example.com","password":"long enough"}""");
        var body = new RecordingStream(json);
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = 10 * 1024 * 1024;
        context.Request.Body = body;

        var request = await RequestBody.ReadAsync(context, SyncJsonContext.Default.LoginRequest, 10 * 1024 * 1024, CancellationToken.None);

        Assert.Equal("a@example.com", request.Email);
        Assert.True(body.LargestReadBuffer <= 64 * 1024, $"a {body.LargestReadBuffer}-byte buffer was taken for {json.Length} bytes");
    }

    [Fact]
    public async Task ReadAsync_ABodyThatKeepsComing_GrowsItsBuffer_AndStopsAtTheLimit()
    {
        var body = new RecordingStream(Encoding.UTF8.GetBytes("{\"email\":\"" + new string('a', 300_000) + "\"}"));
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = body;

        var error = await Assert.ThrowsAsync<FrameLord.Sync.Server.Engine.ApiException>(() =>
            RequestBody.ReadAsync(context, SyncJsonContext.Default.LoginRequest, 200_000, CancellationToken.None));

        Assert.Equal(413, error.Status);
        Assert.True(body.LargestReadBuffer <= 256 * 1024, $"read into {body.LargestReadBuffer} bytes");
    }

    /// <summary>Hands out a few bytes per read and remembers the largest buffer it was asked to fill.</summary>
    private sealed class RecordingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public int LargestReadBuffer { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LargestReadBuffer = Math.Max(LargestReadBuffer, buffer.Length);
            return base.ReadAsync(buffer[..Math.Min(buffer.Length, 4096)], cancellationToken);
        }
    }
}
