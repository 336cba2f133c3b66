using System.Net.WebSockets;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// What both socket protocols share: one message handled at a time, updates queued on their note's writer in
/// the order sent (a slow store slows only that note's sockets), close codes for bad input, the close at token expiry,
/// and a keep-alive message whenever the socket has been silent for half of the clients' 30 s timeout.
/// </summary>
internal abstract partial class SocketSession(SocketConnection connection, RealtimeContext context)
{
    /// <summary>A socket with nothing sent for this long gets a keep-alive message (clients drop a socket silent for 30 s).</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public const int InvalidMessage = 4400;
    public const int Unauthorized = 4401;
    public const int TooManySockets = 4429;

    /// <summary>Updates of one socket queued for storing at once; the socket's reading waits beyond that.</summary>
    public const int MaxUpdatesInFlight = 64;

    private readonly SemaphoreSlim _inFlight = new(MaxUpdatesInFlight);
    private MessageBudget? _budget;
    private readonly Lock _expiryGate = new();
    private ITimer? _expiry;
    private DateTimeOffset _expiresAt = DateTimeOffset.MaxValue;

    protected SocketConnection Connection { get; } = connection;

    protected RealtimeContext Context { get; } = context;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sendLoop = Connection.RunSendLoopAsync(cancellationToken);
        using var keepAlive = Context.Time.CreateTimer(_ =>
        {
            if (Connection.IdleFor >= KeepAlive)
            {
                SendKeepAlive();
            }

            RecheckSessions();
        }, null, KeepAlive, KeepAlive);
        LogScope? logScope = null;
        try
        {
            if (await GuardAsync(() => OpenAsync(cancellationToken), cancellationToken))
            {
                logScope = EnterLogScope();
                _budget = new MessageBudget(Context.Limits.SocketMessagesPerSecond, Context.Time);
                while (!Connection.IsClosing && await Connection.ReceiveAsync(cancellationToken) is { } message)
                {
                    await GuardAsync(async () =>
                    {
                        await _budget.TakeAsync(1, cancellationToken);
                        await HandleAsync(message, cancellationToken);
                        return true;
                    }, cancellationToken);
                    logScope ??= EnterLogScope();
                }
            }
        }
        finally
        {
            logScope?.Dispose();
            lock (_expiryGate)
            {
                _expiry?.Dispose();
                _expiresAt = DateTimeOffset.MinValue;
            }

            Closed();
            ReleaseSessions();
            // Read until the peer answers our close (or the grace ends), so it learns the code.
            while (await Connection.ReceiveAsync(cancellationToken) is not null)
            {
            }

            await Connection.FinishAsync(sendLoop);
        }
    }

    /// <summary>Runs when the socket is accepted; false when it was closed already (no token, say).</summary>
    protected abstract Task<bool> OpenAsync(CancellationToken cancellationToken);

    protected abstract Task HandleAsync(byte[] message, CancellationToken cancellationToken);

    protected abstract void SendKeepAlive();

    /// <summary>Leaves every hub and releases the user's socket count.</summary>
    protected abstract void Closed();

    /// <summary>
    /// Closes the socket with 4401 when <paramref name="identity"/>'s token expires (the earliest expiry wins)
    /// or its device session is revoked.
    /// </summary>
    protected void CloseAtExpiry(SocketIdentity identity)
    {
        NoteLogIdentity(identity);
        WatchSession(identity);
        lock (_expiryGate)
        {
            if (identity.ExpiresAt >= _expiresAt)
            {
                return;
            }

            _expiresAt = identity.ExpiresAt;
        }

        ScheduleExpiry();
    }

    private void ScheduleExpiry()
    {
        lock (_expiryGate)
        {
            var due = _expiresAt - Context.Time.GetUtcNow();
            if (due <= TimeSpan.Zero)
            {
                Connection.Close(Unauthorized, "The access token expired.");
                return;
            }

            // A timer holds at most about 49 days; a token valid longer is looked at again then.
            due = TimeSpan.FromMilliseconds(Math.Min(Math.Ceiling(due.TotalMilliseconds), uint.MaxValue - 2));
            _expiry?.Dispose();
            _expiry = Context.Time.CreateTimer(_ => ScheduleExpiry(), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Bytes of an answer from stored state that count as one more message against the socket's budget.</summary>
    public const int AnswerBytesPerMessage = 16 * 1024;

    /// <summary>
    /// Charges an answer from stored state (a sync step 1's diff, the awareness states asked for) by its size: a
    /// few-byte request must not buy megabytes of reads and sends at the message rate.
    /// </summary>
    protected ValueTask ChargeAnswerAsync(int answerBytes, CancellationToken cancellationToken) =>
        answerBytes < AnswerBytesPerMessage || _budget is null
            ? ValueTask.CompletedTask
            : _budget.TakeAsync(answerBytes / AnswerBytesPerMessage, cancellationToken);

    /// <summary>
    /// Decodes an awareness update, or closes the socket with 1009 when it is over <c>Limits:MaxAwarenessBytes</c>
    /// (each is sent on to every socket of the note) and returns null.
    /// </summary>
    protected List<AwarenessEntry>? DecodeAwareness(ReadOnlySpan<byte> update)
    {
        if (update.Length > Context.Limits.MaxAwarenessBytes)
        {
            Connection.Close(WebSocketCloseStatus.MessageTooBig, "The awareness update is over the size limit.");
            return null;
        }

        return AwarenessUpdate.Decode(update);
    }

    /// <summary>Runs one step of the socket; bad input and failures close the socket with their code instead of escaping.</summary>
    private async Task<bool> GuardAsync(Func<Task<bool>> step, CancellationToken cancellationToken)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(e, cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// Queues an update for storing and returns once it is queued, so the socket reads on while its note's
    /// writer stores (in order, merged with what queued meanwhile); <paramref name="stored"/> runs once it is
    /// stored, and a refusal closes the socket with its code. At most <see cref="MaxUpdatesInFlight"/> wait.
    /// </summary>
    protected async Task StoreAsync(NoteHub hub, INotePeer peer, byte[] update, Action? stored, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        _ = Context.Hubs.StoreAsync(hub, peer, update).ContinueWith(task =>
        {
            _inFlight.Release();
            if (task.IsCompletedSuccessfully)
            {
                stored?.Invoke();
            }
            else
            {
                Fail(task.Exception!.GetBaseException(), CancellationToken.None);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void Fail(Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case Lib0FormatException e:
                Connection.Close(InvalidMessage, Reason(e.Message));
                break;
            case ApiException e when e.Status == StatusCodes.Status413PayloadTooLarge:
                Connection.Close(WebSocketCloseStatus.MessageTooBig, "The update is over the size limit.");
                break;
            case ApiException e when e.Status < 500:
                Connection.Close(InvalidMessage, e.Code == ErrorCodes.InvalidYjsUpdate ? "Invalid Yjs update." : Reason(e.Message));
                break;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                Connection.Close(WebSocketCloseStatus.EndpointUnavailable, "The server is stopping.");
                break;
            default:
                // The store failed (or a bug): nothing was acknowledged, so the client resends after reconnecting.
                LogFailed(Context.Logger, exception);
                Connection.Close(WebSocketCloseStatus.InternalServerError, "The server could not store the update; reconnect.");
                break;
        }
    }

    /// <summary>The close reason of <see cref="INotePeer.Resync"/>.</summary>
    protected const string ResyncReason = "The server could not store updates it had relayed; reconnect.";

    /// <summary>Close reasons are limited to 123 bytes of UTF-8.</summary>
    private static string Reason(string text) => text.Length <= 100 ? text : text[..100];

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live socket's message failed; the socket was closed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
