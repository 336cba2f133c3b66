using System.Net.WebSockets;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>A bare y-websocket client for byte-level tests: sends raw messages, reads messages and the close code.</summary>
internal sealed class RawYjsSocket : IDisposable
{
    private readonly ClientWebSocket _socket = new();

    private RawYjsSocket()
    {
    }

    public int? CloseCode => (int?)_socket.CloseStatus;

    public static async Task<RawYjsSocket> ConnectAsync(Uri server, string path, string? token)
    {
        var socket = new RawYjsSocket();
        var uri = new UriBuilder(server) { Scheme = "ws", Path = path, Query = token is null ? "" : "token=" + token }.Uri;
        await socket._socket.ConnectAsync(uri, CancellationToken.None);
        return socket;
    }

    public Task SendAsync(byte[] message) => _socket.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>The next whole message, or null once the server closed the socket.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }

    /// <summary>Reads until the server closes and returns its close code.</summary>
    public async Task<int> ClosedWithAsync(TimeSpan timeout)
    {
        while (await ReceiveAsync(timeout) is not null)
        {
        }

        return CloseCode ?? -1;
    }

    /// <summary>Reads until a message starting with <paramref name="prefix"/> arrives.</summary>
    public async Task<byte[]> ExpectAsync(byte[] prefix, TimeSpan timeout)
    {
        while (true)
        {
            var message = await ReceiveAsync(timeout) ?? throw new InvalidOperationException($"closed with {CloseCode}");
            if (message.AsSpan().StartsWith(prefix))
            {
                return message;
            }
        }
    }

    /// <summary>A y-websocket sync message: type 0, step, varUint8Array payload.</summary>
    public static byte[] Sync(int step, byte[] payload)
    {
        using var stream = new MemoryStream();
        stream.WriteByte(0);
        stream.WriteByte((byte)step);
        var length = (ulong)payload.Length;
        while (length >= 0x80)
        {
            stream.WriteByte((byte)(length | 0x80));
            length >>= 7;
        }

        stream.WriteByte((byte)length);
        stream.Write(payload);
        return stream.ToArray();
    }

    public void Dispose() => _socket.Dispose();
}
