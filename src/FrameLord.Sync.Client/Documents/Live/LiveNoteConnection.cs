using System.Threading.Channels;

namespace FrameLord.Sync.Client.Documents.Live;

/// <summary>
/// The live socket of one open note (DESIGN 3.8, y-websocket): connects, does the sync handshake (our step 1;
/// our step 2 answering the server's step 1), then sends every local transaction as an update and applies the
/// server's, and carries the note's awareness. A drop is retried after the SDK's backoff (2, 4, ... 32 s on the
/// injected clock), at once after a 4401 with a refreshed token; any other 44xx close (the server refused what
/// it was sent) ends the socket for this open: the REST sync goes on. A server silent for 30 s is dropped.
/// </summary>
internal sealed class LiveNoteConnection
{
    /// <summary>A socket that heard nothing for this long is dropped (the server speaks at least every 15 s).</summary>
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often the silence and the awareness states are looked at (y-protocols: a tenth of 30 s).</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(3);

    /// <summary>How long a stop waits for the close handshake before dropping the socket.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private const int Unauthorized = 4401;
    private const int TooManySockets = 4429;

    private readonly LiveDocument _live;
    private readonly ILiveDocumentConnector _connector;
    private readonly ILiveNoteHost _host;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _gate = new();
    private Session? _session;
    private Task? _run;
    private DocumentConnection _state = DocumentConnection.Rest;

    public LiveNoteConnection(LiveDocument live, ILiveDocumentConnector connector, ILiveNoteHost host)
    {
        _live = live;
        _connector = connector;
        _host = host;
    }

    public DocumentConnection State => _state;

    /// <summary>The close code that ended the socket for good (a 44xx refusal), or null.</summary>
    public int? RefusedWith { get; private set; }

    public event EventHandler? StateChanged;

    public void Start()
    {
        // Off the caller's context: the loop must not run on an app's UI thread.
        _run ??= Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>Closes the socket cleanly (awareness removal, close handshake), dropping it after <see cref="CloseTimeout"/>.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        Session? session;
        lock (_gate)
        {
            session = _session;
        }

        session?.Close(_live.Awareness?.EncodeLeaving());
        if (_run is { } run)
        {
            try
            {
                await run.WaitAsync(CloseTimeout, _host.Time);
            }
            catch (TimeoutException)
            {
                await _abort.CancelAsync();
                await run;
            }
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        _live.Doc.UpdateV1 += OnDocumentUpdate;
        if (_live.Awareness is { } awareness)
        {
            awareness.LocalUpdate += OnAwarenessUpdate;
        }

        try
        {
            var attempt = 0;
            var refreshed = false;
            while (!stopping.IsCancellationRequested)
            {
                SetState(DocumentConnection.Connecting);
                var (closeCode, synced) = await SessionAsync();
                SetState(DocumentConnection.Rest);
                _live.Awareness?.RemoveRemoteStates();
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                _host.Disconnected(_live);
                if (synced)
                {
                    attempt = 0;
                }

                if (closeCode == Unauthorized && !refreshed)
                {
                    refreshed = true;
                    try
                    {
                        await _host.RefreshAccessTokenAsync(stopping);
                        continue;
                    }
                    catch (Exception) when (!stopping.IsCancellationRequested)
                    {
                        // No new token now: tried again after the backoff.
                    }
                }
                else if (closeCode is >= 4400 and < 4500 and not Unauthorized and not TooManySockets)
                {
                    // The server refused what this socket sent (as y-websocket, no retry): REST goes on, and
                    // records the refusal when it meets it.
                    RefusedWith = closeCode;
                    return;
                }

                refreshed = refreshed && closeCode == Unauthorized;
                await Task.Delay(_host.RetryDelay(++attempt), _host.Time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while waiting to reconnect.
        }
        finally
        {
            _live.Doc.UpdateV1 -= OnDocumentUpdate;
            if (_live.Awareness is { } presence)
            {
                presence.LocalUpdate -= OnAwarenessUpdate;
            }

            SetState(DocumentConnection.Rest);
        }
    }

    /// <summary>One socket from connect to close: its close code (null when it broke or never opened) and whether its handshake completed.</summary>
    private async Task<(int? CloseCode, bool Synced)> SessionAsync()
    {
        ILiveDocumentSocket socket;
        try
        {
            var token = await _host.AccessTokenAsync(_stopping.Token);
            socket = await _connector.ConnectAsync(_live.NoteId, token, _stopping.Token);
        }
        catch (Exception)
        {
            // Not reachable, or stopping: the caller backs off or returns.
            return (null, false);
        }

        await using var owned = socket;
        var session = new Session(socket);
        var sendLoop = session.RunSendLoopAsync(_abort.Token);
        var lastHeard = _host.Time.GetUtcNow().UtcTicks;
        using var ticker = _host.Time.CreateTimer(_ =>
        {
            if (_host.Time.GetUtcNow().UtcTicks - Volatile.Read(ref lastHeard) > SilenceTimeout.Ticks)
            {
                socket.Abort();
            }
            else if (_live.Awareness?.Tick() is { } renewal)
            {
                session.Send(YWebSocketMessage.Awareness(renewal));
            }
        }, null, TickInterval, TickInterval);
        try
        {
            lock (_gate)
            {
                _session = session;
            }

            if (_stopping.IsCancellationRequested)
            {
                session.Close(null);
            }

            // As y-websocket: our step 1 and our awareness first; local updates go out from now on.
            session.Send(YWebSocketMessage.SyncStep1(await _host.StateVectorAsync(_live)));
            if (_live.Awareness?.EncodeLocal() is { } mine)
            {
                session.Send(YWebSocketMessage.Awareness(mine));
            }

            while (await socket.ReceiveAsync(_abort.Token) is { } bytes)
            {
                Volatile.Write(ref lastHeard, _host.Time.GetUtcNow().UtcTicks);
                var message = YWebSocketMessage.Decode(bytes);
                switch (message.Kind)
                {
                    case YMessageKind.SyncStep1:
                        session.Send(YWebSocketMessage.SyncStep2(await _host.ServerStateAsync(_live, message.Payload)));
                        break;
                    case YMessageKind.SyncStep2:
                        await _host.ApplyRemoteAsync(_live, message.Payload);
                        if (!session.Synced)
                        {
                            session.Synced = true;
                            SetState(DocumentConnection.Live);
                        }

                        break;
                    case YMessageKind.Update:
                        await _host.ApplyRemoteAsync(_live, message.Payload);
                        break;
                    case YMessageKind.Awareness:
                        _live.Awareness?.ApplyRemote(message.Payload);
                        break;
                    case YMessageKind.QueryAwareness:
                        if (_live.Awareness?.EncodeLocal() is { } state)
                        {
                            session.Send(YWebSocketMessage.Awareness(state));
                        }

                        break;
                    case YMessageKind.Auth:
                        break;
                }
            }

            return (socket.CloseStatus, session.Synced);
        }
        catch (Exception)
        {
            // A broken socket, a message that does not decode, an update that does not apply, or a stop that
            // could not wait for the close handshake: this socket is done.
            socket.Abort();
            return (socket.CloseStatus, session.Synced);
        }
        finally
        {
            lock (_gate)
            {
                _session = null;
            }

            session.Complete();
            try
            {
                await sendLoop;
            }
            catch (Exception)
            {
                // The socket is gone either way.
            }
        }
    }

    /// <summary>A local transaction (the log has it already: the log's handler runs first): sent on the socket when one is open.</summary>
    private void OnDocumentUpdate(object? sender, Crdt.YUpdateEventArgs e)
    {
        if (!ReferenceEquals(e.Origin, _host.RemoteOrigin))
        {
            Volatile.Read(ref _session)?.Send(YWebSocketMessage.Update(e.Update));
        }
    }

    private void OnAwarenessUpdate(byte[] update) => Volatile.Read(ref _session)?.Send(YWebSocketMessage.Awareness(update));

    private void SetState(DocumentConnection state)
    {
        if (_state != state)
        {
            _state = state;
            StateChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    /// <summary>One socket's outgoing queue: one sender at a time, in order; a failed send drops the socket.</summary>
    private sealed class Session(ILiveDocumentSocket socket)
    {
        /// <summary>Marks the close in the queue (compared by reference; no message is empty).</summary>
        private static readonly byte[] s_close = new byte[1];
        private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

        public bool Synced { get; set; }

        public void Send(byte[] message) => _outgoing.Writer.TryWrite(message);

        /// <summary>Sends <paramref name="last"/> (when given), then the close; the server's close ends the receive.</summary>
        public void Close(byte[]? last)
        {
            if (last is not null)
            {
                Send(YWebSocketMessage.Awareness(last));
            }

            Send(s_close);
            _outgoing.Writer.TryComplete();
        }

        public void Complete() => _outgoing.Writer.TryComplete();

        public async Task RunSendLoopAsync(CancellationToken abort)
        {
            try
            {
                await foreach (var message in _outgoing.Reader.ReadAllAsync(abort))
                {
                    if (ReferenceEquals(message, s_close))
                    {
                        await socket.CloseAsync(abort);
                        return;
                    }

                    await socket.SendAsync(message, abort);
                }
            }
            catch (Exception)
            {
                socket.Abort();
                throw;
            }
        }
    }
}
