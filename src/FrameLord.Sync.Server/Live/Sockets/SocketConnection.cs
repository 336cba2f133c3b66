using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// One accepted WebSocket: a receive side that reassembles binary messages up to a size limit, and one send
/// loop that owns every write (messages and the closing handshake), since a WebSocket allows only one send at
/// a time. Senders only enqueue; a peer that does not read its queue is closed rather than buffered without end.
/// </summary>
internal sealed class SocketConnection
{
    /// <summary>Messages queued for one socket before it counts as stuck and is closed (1008).</summary>
    public const int QueueLength = 4096;

    private readonly WebSocket _socket;
    private readonly int _maxMessageBytes;
    private readonly TimeProvider _time;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
        // A message queued while the send loop waits is sent by the sender's thread at once (the send only hands it to
        // the connection's output), instead of waking a pool thread for it: a fan-out costs no thread hop per socket.
        AllowSynchronousContinuations = true,
    });

    private readonly CancellationTokenSource _receiving;
    private int _closing;
    private long _lastSentTicks;

    public SocketConnection(WebSocket socket, int maxMessageBytes, TimeProvider time)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _time = time;
        _lastSentTicks = time.GetTimestamp();
        _receiving = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>How long a peer has to answer our close before the connection is dropped.</summary>
    public static TimeSpan CloseGrace { get; } = TimeSpan.FromSeconds(5);

    private readonly record struct Outgoing(byte[]? Message, WebSocketCloseStatus Code, string? Reason);

    /// <summary>The close code this side sent, once it decided to close.</summary>
    public int? CloseCode { get; private set; }

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Time since the last message went out (for the keep-alive ping).</summary>
    public TimeSpan IdleFor => _time.GetElapsedTime(Interlocked.Read(ref _lastSentTicks));

    public void Send(byte[] message)
    {
        if (IsClosing)
        {
            return;
        }

        if (!_outgoing.Writer.TryWrite(new Outgoing(message, default, null)))
        {
            Close(WebSocketCloseStatus.PolicyViolation, "The socket does not read its messages.");
        }
    }

    /// <summary>Queues the closing handshake after what is already queued; later sends are dropped. The first close wins.</summary>
    public void Close(int code, string reason) => Close((WebSocketCloseStatus)code, reason);

    public void Close(WebSocketCloseStatus code, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        CloseCode = (int)code;
        // The close must get through even when the queue is full: drop the backlog for it.
        if (!_outgoing.Writer.TryWrite(new Outgoing(null, code, reason)))
        {
            while (_outgoing.Reader.TryRead(out _))
            {
            }

            _outgoing.Writer.TryWrite(new Outgoing(null, code, reason));
        }

        _outgoing.Writer.TryComplete();
        try
        {
            _receiving.CancelAfter(CloseGrace);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>Sends queued messages until the close is sent or the socket fails.</summary>
    public async Task RunSendLoopAsync(CancellationToken cancellationToken)
    {
        // The queue is waited on without a token, which lets the channel reuse one wait for every message instead of
        // allocating one per message; cancellation ends the loop as before, by closing the queue to new messages.
        await using var stop = cancellationToken.Register(static s => ((SocketConnection)s!).StopSending(), this);
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Message is { } message)
                    {
                        await _socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                        Interlocked.Exchange(ref _lastSentTicks, _time.GetTimestamp());
                        continue;
                    }

                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(item.Code, item.Reason, cancellationToken);
                    }

                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer went away; the receive side sees it too.
        }
        finally
        {
            StopSending();
        }
    }

    private void StopSending()
    {
        Interlocked.Exchange(ref _closing, 1);
        _outgoing.Writer.TryComplete();
    }

    /// <summary>
    /// The next whole message, reassembled from its frames; null when the peer closed or the socket failed.
    /// A message over the limit closes the socket with 1009 and returns null; text frames are refused (1003).
    /// </summary>
    public async Task<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var stop = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _receiving);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    // Grows with what arrived, never from a declared length; capped just past the limit.
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)_maxMessageBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                ValueWebSocketReceiveResult result;
                try
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _receiving.Token);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
                {
                    return null;
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, string.Empty);
                    return null;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Close(WebSocketCloseStatus.InvalidMessageType, "Messages are binary.");
                    return null;
                }

                length += result.Count;
                if (length > _maxMessageBytes)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, "The message is over the size limit.");
                    return null;
                }

                if (result.EndOfMessage)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>After the receive side ended: lets the send loop finish the closing handshake, then aborts what remains.</summary>
    public async Task FinishAsync(Task sendLoop)
    {
        Close(WebSocketCloseStatus.NormalClosure, string.Empty);
        using var grace = new CancellationTokenSource(CloseGrace, _time);
        try
        {
            await sendLoop.WaitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // The peer stopped reading; drop the connection.
        }

        if (_socket.State is not WebSocketState.Closed and not WebSocketState.Aborted)
        {
            _socket.Abort();
        }

        _receiving.Dispose();
    }
}
