using System.Threading.Channels;
using FrameLord.Sync.Client.Documents.Live;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>Live sockets without a network: the test plays the server (messages and closes) and reads what the SDK sent.</summary>
public sealed class ScriptedLiveSockets : ILiveDocumentConnector
{
    private readonly List<ScriptedLiveSocket> _sockets = [];

    public List<string> Tokens { get; } = [];

    public IReadOnlyList<ScriptedLiveSocket> Sockets
    {
        get
        {
            lock (_sockets)
            {
                return [.. _sockets];
            }
        }
    }

    public Task<ILiveDocumentSocket> ConnectAsync(string noteId, string accessToken, CancellationToken cancellationToken)
    {
        var socket = new ScriptedLiveSocket();
        lock (_sockets)
        {
            Tokens.Add(accessToken);
            _sockets.Add(socket);
        }

        return Task.FromResult<ILiveDocumentSocket>(socket);
    }
}

public sealed class ScriptedLiveSocket : ILiveDocumentSocket
{
    private readonly Channel<byte[]?> _incoming = Channel.CreateUnbounded<byte[]?>();
    private readonly List<byte[]> _sent = [];

    public int? CloseStatus { get; private set; }

    public bool Aborted { get; private set; }

    /// <summary>The kinds of the messages the SDK sent, in order.</summary>
    internal List<YWebSocketMessage> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent.Select(m => YWebSocketMessage.Decode(m))];
            }
        }
    }

    /// <summary>The server sends a message.</summary>
    public void Push(byte[] message) => _incoming.Writer.TryWrite(message);

    /// <summary>The server closes with <paramref name="code"/>.</summary>
    public void CloseWith(int code)
    {
        CloseStatus = code;
        _incoming.Writer.TryWrite(null);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        lock (_sent)
        {
            _sent.Add(message.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = await _incoming.Reader.ReadAsync(cancellationToken);
        if (Aborted)
        {
            throw new IOException("aborted");
        }

        return message;
    }

    public Task CloseAsync(CancellationToken cancellationToken)
    {
        CloseWith(1000);
        return Task.CompletedTask;
    }

    public void Abort()
    {
        Aborted = true;
        _incoming.Writer.TryWrite(null);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
