using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// Open notes over the live socket (DESIGN 3.8) and its hand-off with the REST delta sync. Every local edit
/// is appended to the note's log before its transaction returns, live or not (unchanged). While a note is live
/// its edits go on the socket at once and the server's arrive the same way (appended to the log as received);
/// the sync step then leaves the note alone, except to confirm edits the socket carried: a request with the
/// state vector only, whose answer marks them acknowledged when the server's state vector covers them (and
/// sends the difference by REST when it does not). When the socket drops, the note is back on REST at once;
/// a reconnect's handshake sends whatever the server lacks and acknowledges what it already has. Yjs ignores
/// what it has, so an update that reaches the server both ways is stored once. It owns the sockets; they run
/// while the loop runs and a handle is open.
/// </summary>
internal sealed class LiveDocumentSockets
{
    private readonly LocalDatabase _db;
    private readonly SyncClientOptions _options;
    private readonly DocumentRegistry _registry;
    private readonly SyncStatusTracker _status;
    private readonly ILiveDocumentConnector? _connector;
    private readonly ILiveNoteHost _host;
    private readonly Lock _lock = new();
    private bool _running;

    public LiveDocumentSockets(
        LocalDatabase db, TimeProvider time, SyncClientOptions options, AccessTokens tokens, Backoff backoff, DocumentRegistry registry, SyncStatusTracker status)
    {
        _db = db;
        _options = options;
        _registry = registry;
        _status = status;
        _connector = !options.UseLiveDocuments ? null
            : options.LiveDocuments ?? (options.ServerUri is { } uri ? new ClientWebSocketConnector(uri) : null);
        _host = new Host(this, time, tokens, backoff);
        registry.Opened += Start;
        registry.Closed += Stop;
    }

    /// <summary>The loop started: every open note gets its socket.</summary>
    public void StartAll()
    {
        lock (_lock)
        {
            _running = true;
        }

        foreach (var live in _registry.OpenDocuments())
        {
            Start(live);
        }
    }

    /// <summary>The loop stops (or the client is disposed): closes every socket and waits for them.</summary>
    public async Task StopAllAsync()
    {
        List<LiveNoteConnection> connections = [];
        lock (_lock)
        {
            _running = false;
            foreach (var live in _registry.OpenDocuments())
            {
                if (live.Connection is { } connection)
                {
                    connections.Add(connection);
                    live.Connection = null;
                }
            }
        }

        await Task.WhenAll(connections.Select(c => c.StopAsync()));
    }

    /// <summary>Starts the note's socket when the loop runs, a handle is open and there is none yet.</summary>
    private void Start(LiveDocument live)
    {
        if (_connector is null)
        {
            return;
        }

        LiveNoteConnection connection;
        lock (_lock)
        {
            if (!_running || live.Connection is not null || live.Handles == 0)
            {
                return;
            }

            connection = new LiveNoteConnection(live, _connector, _host);
            connection.StateChanged += (_, _) => live.RaiseConnectionChanged();
            live.Connection = connection;
        }

        connection.Start();
    }

    /// <summary>The note closed: its socket closes on its own (the awareness removal and close handshake go out).</summary>
    private void Stop(LiveDocument live)
    {
        LiveNoteConnection? connection;
        lock (_lock)
        {
            connection = live.Connection;
            live.Connection = null;
        }

        if (connection is not null)
        {
            _ = connection.StopAsync();
        }
    }

    /// <summary>What a note's socket needs: token, backoff, and the document and its log.</summary>
    private sealed class Host(LiveDocumentSockets sockets, TimeProvider time, AccessTokens tokens, Backoff backoff) : ILiveNoteHost
    {
        public TimeProvider Time => time;

        public object RemoteOrigin => DocumentRegistry.ServerOrigin;

        public TimeSpan RetryDelay(int attempt) => backoff.Delay(attempt);

        public Task<string> AccessTokenAsync(CancellationToken cancellationToken) => tokens.CurrentOrRefreshAsync(cancellationToken);

        public Task<string> RefreshAccessTokenAsync(CancellationToken cancellationToken) =>
            tokens.RefreshAsync(new SyncTransportException(401, ErrorCodes.Unauthorized, "The live socket was closed with 4401."), cancellationToken);

        public Task<byte[]> StateVectorAsync(LiveDocument live) => live.RunAsync(() => live.Doc.EncodeStateVector());

        public async Task<byte[]> ServerStateAsync(LiveDocument live, byte[] serverStateVector)
        {
            var server = DecodeServerVector(serverStateVector);
            var (diff, covered, seq) = await live.RunAsync(() => (
                live.Doc.EncodeStateAsUpdate(serverStateVector),
                !DocumentSyncSession.IsAhead(live.Doc.GetStateVector(), server),
                sockets._db.Reader.Document(live.NoteId)?.LocalSeq ?? 0));
            if (covered && seq > 0)
            {
                // The server stored everything the device has (the state vector is read from storage on connect).
                await sockets._db.WriteAsync(w =>
                {
                    w.MarkDocumentConfirmed(live.NoteId, serverStateVector, seq);
                    return true;
                }, CancellationToken.None);
                sockets._status.Refresh();
            }

            return diff;
        }

        public async Task ApplyRemoteAsync(LiveDocument live, byte[] update)
        {
            // An observer of the app that failed is the app's: the document and the log hold the update anyway.
            var (received, _) = await live.RunAsync(() => DocumentSyncSession.Apply(live.Doc, update));
            if (received is null)
            {
                return;
            }

            var rows = await sockets._db.WriteAsync(w =>
            {
                w.AppendDocumentUpdate(live.NoteId, DocumentUpdateKinds.Server, received);
                return w.GetDocument(live.NoteId)?.LogCount ?? 0;
            }, CancellationToken.None);
            if (rows > sockets._options.DocumentLogCompactionUpdates)
            {
                await sockets._registry.CompactAsync(live, CancellationToken.None);
            }
        }

        public void Disconnected(LiveDocument live) => sockets._registry.WantSync(live.NoteId);

        private static IReadOnlyDictionary<ulong, long> DecodeServerVector(byte[] stateVector)
        {
            try
            {
                return YUpdate.DecodeStateVector(stateVector);
            }
            catch (YjsFormatException e)
            {
                throw new LiveProtocolException($"The server's state vector does not decode: {e.Message}");
            }
        }
    }
}
