using FrameLord.Sync.Client.Documents.Live;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// Wraps a live socket connector: records every token a connect used and every socket's close code, drops the
/// open sockets on demand (<see cref="KillAll"/>), and refuses new ones while <see cref="Down"/> (a network error).
/// </summary>
public sealed class KillableConnector(ILiveDocumentConnector inner) : ILiveDocumentConnector
{
    private readonly List<Socket> _sockets = [];

    public volatile bool Down;

    public List<string> Tokens { get; } = [];

    /// <summary>The close codes the server sent on sockets that ended (null for a drop).</summary>
    public List<int?> CloseCodes { get; } = [];

    public int Connects
    {
        get
        {
            lock (Tokens)
            {
                return Tokens.Count;
            }
        }
    }

    public async Task<ILiveDocumentSocket> ConnectAsync(string noteId, string accessToken, CancellationToken cancellationToken)
    {
        lock (Tokens)
        {
            Tokens.Add(accessToken);
        }

        if (Down)
        {
            throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, "The network is down (test).");
        }

        var socket = new Socket(await inner.ConnectAsync(noteId, accessToken, cancellationToken), this);
        lock (_sockets)
        {
            _sockets.Add(socket);
        }

        return socket;
    }

    /// <summary>Drops every open socket, as a broken network would.</summary>
    public void KillAll()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Abort();
            }

            _sockets.Clear();
        }
    }

    private sealed class Socket(ILiveDocumentSocket inner, KillableConnector owner) : ILiveDocumentSocket
    {
        public int? CloseStatus => inner.CloseStatus;

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => inner.SendAsync(message, cancellationToken);

        public async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
        {
            var message = await inner.ReceiveAsync(cancellationToken);
            if (message is null)
            {
                lock (owner.CloseCodes)
                {
                    owner.CloseCodes.Add(inner.CloseStatus);
                }
            }

            return message;
        }

        public Task CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        public void Abort() => inner.Abort();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
