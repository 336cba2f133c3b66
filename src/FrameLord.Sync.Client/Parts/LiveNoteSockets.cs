using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Protocol.Lib0;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// Open notes over the live socket (DESIGN 3.8) and its hand-off with the REST delta sync. Every local edit
/// is appended to the note's log before its transaction returns, live or not (unchanged). While a note is live
/// its edits go on the socket at once and the server's arrive the same way (appended to the log as received);
/// the sync step then leaves the note alone, except to confirm edits the socket carried: a request with the
/// state vector only, whose answer marks them acknowledged when the server's state vector covers them (and
/// sends the difference by REST when it does not). When the socket drops, the note is back on REST at once;
/// a reconnect's handshake sends whatever the server lacks and acknowledges what it already has. Yjs ignores
/// what it has, so an update that reaches the server both ways is stored once.
/// </summary>
/// <remarks>
/// Sockets run while the loop runs (<see cref="Start"/>, <see cref="StopAsync"/>) for the notes with an open
/// handle; the registry's open and close hooks attach and detach them. The connection sits on the
/// <see cref="LiveDocument"/>, guarded by the registry's lock.
/// </remarks>
internal sealed class LiveNoteSockets : ILiveNoteHost
{
    private readonly LocalDatabase _db;
    private readonly SyncClientOptions _options;
    private readonly AccessTokens _tokens;
    private readonly Backoff _backoff;
    private readonly DocumentRegistry _registry;
    private readonly SyncStatusTracker _status;
    private readonly ILiveDocumentConnector? _connector;
    private volatile bool _running;

    public LiveNoteSockets(
        LocalDatabase db, TimeProvider time, SyncClientOptions options, AccessTokens tokens, Backoff backoff, DocumentRegistry registry, SyncStatusTracker status)
    {
        _db = db;
        Time = time;
        _options = options;
        _tokens = tokens;
        _backoff = backoff;
        _registry = registry;
        _status = status;
        _connector = !options.UseLiveDocuments ? null
            : options.LiveDocuments ?? (options.ServerUri is { } uri ? new ClientWebSocketConnector(uri) : null);
        registry.HandleOpened += Attach;
        registry.Detaching += Detach;
    }

    public TimeProvider Time { get; }

    public object RemoteOrigin => DocumentRegistry.ServerOrigin;

    /// <summary>The loop started: every open note gets its socket, and so does each note opened until <see cref="StopAsync"/>.</summary>
    public void Start()
    {
        _running = true;
        foreach (var live in _registry.OpenDocuments())
        {
            Attach(live);
        }
    }

    /// <summary>Closes every socket and waits for them (the loop stops, or the client is disposed).</summary>
    public async Task StopAsync()
    {
        _running = false;
        await Task.WhenAll(_registry.TakeAllConnections().Select(c => c.StopAsync()));
    }

    /// <summary>Starts the note's socket when the loop runs, a handle is open and there is none yet.</summary>
    private void Attach(LiveDocument live)
    {
        if (_connector is not { } connector || !_running)
        {
            return;
        }

        if (_registry.TryAttach(live, () => new LiveNoteConnection(live, connector, this), out var connection))
        {
            connection!.StateChanged += (_, _) => live.RaiseConnectionChanged();
            connection.Start();
        }
    }

    /// <summary>Closes the note's socket (its last handle closed); the close runs on its own.</summary>
    private void Detach(LiveDocument live)
    {
        if (_registry.TakeConnection(live) is { } connection)
        {
            _ = connection.StopAsync();
        }
    }

    public TimeSpan RetryDelay(int attempt) => _backoff.Delay(attempt);

    public Task<string> AccessTokenAsync(CancellationToken cancellationToken) => _tokens.CurrentOrRefreshAsync(cancellationToken);

    public Task<string> RefreshAccessTokenAsync(CancellationToken cancellationToken) =>
        _tokens.RefreshAsync(new SyncTransportException(401, ErrorCodes.Unauthorized, "The live socket was closed with 4401."), cancellationToken);

    public Task<byte[]> StateVectorAsync(LiveDocument live) => live.RunAsync(() => live.Doc.EncodeStateVector());

    public async Task<byte[]> ServerStateAsync(LiveDocument live, byte[] serverStateVector)
    {
        var server = DecodeServerVector(serverStateVector);
        var (diff, covered, seq) = await live.RunAsync(() => (
            live.Doc.EncodeStateAsUpdate(serverStateVector),
            !DocumentSyncSession.IsAhead(live.Doc.GetStateVector(), server),
            _db.Reader.Document(live.NoteId)?.LocalSeq ?? 0));
        if (covered && seq > 0)
        {
            // The server stored everything the device has (the state vector is read from storage on connect).
            await _db.WriteAsync(w =>
            {
                w.MarkDocumentConfirmed(live.NoteId, serverStateVector, seq);
                return true;
            }, CancellationToken.None);
            _status.Refresh();
        }

        return diff;
    }

    public async Task ApplyRemoteAsync(LiveDocument live, byte[] update)
    {
        var (received, _) = await live.RunAsync(() => DocumentSyncSession.Apply(live.Doc, update));
        if (received is null)
        {
            return;
        }

        // An observer of the app that failed is the app's: the document and the log hold the update anyway.
        var rows = await _db.WriteAsync(w =>
        {
            w.AppendDocumentUpdate(live.NoteId, DocumentUpdateKinds.Server, received);
            return w.GetDocument(live.NoteId)?.LogCount ?? 0;
        }, CancellationToken.None);
        if (rows > _options.DocumentLogCompactionUpdates)
        {
            await _registry.CompactAsync(live, CancellationToken.None);
        }
    }

    public void Disconnected(LiveDocument live) => _registry.WantNext(live.NoteId);

    private static IReadOnlyDictionary<ulong, long> DecodeServerVector(byte[] stateVector)
    {
        try
        {
            return YUpdate.DecodeStateVector(stateVector);
        }
        catch (YjsFormatException e)
        {
            throw new Lib0FormatException($"The server's state vector does not decode: {e.Message}");
        }
    }
}
