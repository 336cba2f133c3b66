using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

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
public sealed partial class SyncClient
{
    private ILiveDocumentConnector? LiveConnector =>
        !_options.UseLiveDocuments ? null
        : _options.LiveDocuments ?? (_options.ServerUri is { } uri ? _defaultConnector ??= new ClientWebSocketConnector(uri) : null);

    private ClientWebSocketConnector? _defaultConnector;

    /// <summary>True when the note's socket is open and its handshake done: the sync step only confirms its edits.</summary>
    private static bool IsLive(LiveDocument live) => live.Connection?.State == DocumentConnection.Live;

    /// <summary>Starts the note's socket when the loop runs, a handle is open and there is none yet.</summary>
    private void StartLiveConnection(LiveDocument live)
    {
        if (LiveConnector is not { } connector || !IsRunning)
        {
            return;
        }

        LiveNoteConnection connection;
        lock (_documentsLock)
        {
            if (live.Connection is not null || live.Handles == 0 || _liveDocuments.GetValueOrDefault(live.NoteId) != live)
            {
                return;
            }

            connection = new LiveNoteConnection(live, connector, new LiveHost(this));
            connection.StateChanged += (_, _) => live.RaiseConnectionChanged();
            live.Connection = connection;
        }

        connection.Start();
    }

    /// <summary>Closes the note's socket (its last handle closed); the close runs on its own.</summary>
    private void StopLiveConnection(LiveDocument live)
    {
        LiveNoteConnection? connection;
        lock (_documentsLock)
        {
            connection = live.Connection;
            live.Connection = null;
        }

        if (connection is not null)
        {
            _ = connection.StopAsync();
        }
    }

    private void StartLiveConnections()
    {
        List<LiveDocument> open;
        lock (_documentsLock)
        {
            open = [.. _liveDocuments.Values.Where(l => l.Handles > 0)];
        }

        foreach (var live in open)
        {
            StartLiveConnection(live);
        }
    }

    /// <summary>Closes every socket and waits for them (the loop stops, or the client is disposed).</summary>
    private async Task StopLiveConnectionsAsync()
    {
        List<LiveNoteConnection> connections = [];
        lock (_documentsLock)
        {
            foreach (var live in _liveDocuments.Values)
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

    /// <summary>What a note's socket needs from the client: token, backoff, and the document and its log.</summary>
    private sealed class LiveHost(SyncClient client) : ILiveNoteHost
    {
        public TimeProvider Time => client._time;

        public object RemoteOrigin => s_serverOrigin;

        public TimeSpan RetryDelay(int attempt) => client._backoff.Delay(attempt);

        public async Task<string> AccessTokenAsync(CancellationToken cancellationToken) =>
            client.AccessToken ?? await client.RefreshTokenAsync(null, cancellationToken);

        public Task<string> RefreshAccessTokenAsync(CancellationToken cancellationToken) =>
            client.RefreshTokenAsync(new SyncTransportException(401, ErrorCodes.Unauthorized, "The live socket was closed with 4401."), cancellationToken);

        public Task<byte[]> StateVectorAsync(LiveDocument live) => live.RunAsync(() => live.Doc.EncodeStateVector());

        public async Task<byte[]> ServerStateAsync(LiveDocument live, byte[] serverStateVector)
        {
            var server = DecodeServerVector(serverStateVector);
            var (diff, covered, seq) = await live.RunAsync(() => (
                live.Doc.EncodeStateAsUpdate(serverStateVector),
                !IsAhead(live.Doc.GetStateVector(), server),
                client._db.Reader.Document(live.NoteId)?.LocalSeq ?? 0));
            if (covered && seq > 0)
            {
                // The server stored everything the device has (the state vector is read from storage on connect).
                await client._db.WriteAsync(w =>
                {
                    w.MarkDocumentConfirmed(live.NoteId, serverStateVector, seq);
                    return true;
                }, CancellationToken.None);
                client.RefreshState();
            }

            return diff;
        }

        public async Task ApplyRemoteAsync(LiveDocument live, byte[] update)
        {
            var (received, _) = await live.RunAsync(() => Apply(live.Doc, update));
            if (received is null)
            {
                return;
            }

            // An observer of the app that failed is the app's: the document and the log hold the update anyway.
            var rows = await client._db.WriteAsync(w =>
            {
                w.AppendDocumentUpdate(live.NoteId, DocumentUpdateKinds.Server, received);
                return w.GetDocument(live.NoteId)?.LogCount ?? 0;
            }, CancellationToken.None);
            if (rows > client._options.DocumentLogCompactionUpdates)
            {
                await client.CompactAsync(live, CancellationToken.None);
            }
        }

        public void Disconnected(LiveDocument live)
        {
            lock (client._documentsLock)
            {
                client._wanted[live.NoteId] = new Want(++client._wantTicket, null);
            }

            client.RequestSync();
        }

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
