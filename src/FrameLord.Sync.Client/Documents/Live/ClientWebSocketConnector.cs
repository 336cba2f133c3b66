using System.Net.WebSockets;
using FrameLord.Sync.Protocol.Lib0;

namespace FrameLord.Sync.Client.Documents.Live;

/// <summary>
/// Live sockets over <see cref="ClientWebSocket"/>: <c>GET /api/v1/yjs/{note_id}</c> on the server's root
/// (http becomes ws, https wss), the note id escaped as a path segment, the token in the
/// <c>Authorization</c> header (never in the URL, where logs would keep it).
/// </summary>
public sealed class ClientWebSocketConnector(Uri serverUri) : ILiveDocumentConnector
{
    /// <summary>
    /// The largest message accepted from the server; a larger one drops the socket (the SDK then syncs by REST).
    /// Default 80 MiB: a whole note (at most 64 MiB on the server) in one sync step 2, with room for framing.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 80 * 1024 * 1024;

    /// <summary>WebSocket keep-alive pings. Default 30 s (the server's own pings keep the socket busy too).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<ILiveDocumentSocket> ConnectAsync(string noteId, string accessToken, CancellationToken cancellationToken)
    {
        var root = serverUri.AbsoluteUri.EndsWith('/') ? serverUri.AbsoluteUri : serverUri.AbsoluteUri + "/";
        var builder = new UriBuilder(new Uri(new Uri(root), "api/v1/yjs/" + Uri.EscapeDataString(noteId)));
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + accessToken);
        socket.Options.KeepAliveInterval = KeepAliveInterval;
        try
        {
            await socket.ConnectAsync(builder.Uri, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, $"The live socket could not be opened: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new Socket(socket, MaxMessageBytes);
    }

    private sealed class Socket(ClientWebSocket socket, int maxMessageBytes) : ILiveDocumentSocket
    {
        private readonly byte[] _buffer = new byte[16 * 1024];

        public int? CloseStatus => (int?)socket.CloseStatus;

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
            socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

        public async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
        {
            // Messages may come in several frames: put together, up to the limit.
            MemoryStream? parts = null;
            while (true)
            {
                var result = await socket.ReceiveAsync(_buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                if (result.EndOfMessage && parts is null)
                {
                    return _buffer.AsSpan(0, result.Count).ToArray();
                }

                parts ??= new MemoryStream();
                if (parts.Length + result.Count > maxMessageBytes)
                {
                    throw new Lib0FormatException("A message from the server is over the size limit.");
                }

                parts.Write(_buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return parts.ToArray();
                }
            }
        }

        public async Task CloseAsync(CancellationToken cancellationToken)
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // The output side only: the receive under way then sees the server's close.
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
        }

        public void Abort() => socket.Abort();

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
