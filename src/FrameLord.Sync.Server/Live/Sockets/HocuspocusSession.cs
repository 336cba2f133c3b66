using System.Net.WebSockets;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// One Hocuspocus socket (provider 4.8.0): many notes, each message prefixed by the document name (the note
/// id, optionally followed by NUL and a session id, echoed back as sent). A document is opened by its Auth
/// message (token) and answered Authenticated or PermissionDenied; messages for a document not opened are
/// ignored, as the reference server queues them only while its auth runs. Each stored (or already known)
/// update is acknowledged with SyncStatus so the provider's unsynced count drains. Stateless messages are
/// ignored. A socket on which no document could be opened is closed with 4401.
/// </summary>
internal sealed class HocuspocusSession(SocketConnection connection, RealtimeContext context) : SocketSession(connection, context)
{
    private const int MessageSync = 0;
    private const int MessageAwareness = 1;
    private const int MessageAuth = 2;
    private const int MessageQueryAwareness = 3;
    private const int MessageClose = 7;
    private const int MessageSyncStatus = 8;
    private const int MessagePing = 9;
    private const int MessagePong = 10;
    private const int AuthToken = 0;
    private const int AuthPermissionDenied = 1;
    private const int AuthAuthenticated = 2;
    private const int SyncStep1 = 0;
    private const int SyncStep2 = 1;
    private const int SyncUpdate = 2;

    /// <summary>Documents one socket may hold open at once; more are refused with PermissionDenied.</summary>
    public const int MaxDocumentsPerSocket = 100;

    private static readonly byte[] Ping = [MessagePing];

    private readonly Dictionary<string, DocumentPeer> _documents = new(StringComparer.Ordinal);
    private string? _userId;

    protected override Task<bool> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    protected override async Task HandleAsync(byte[] message, CancellationToken cancellationToken)
    {
        if (message is [MessagePong])
        {
            return;
        }

        var reader = new Lib0Reader(message);
        var name = reader.ReadVarString();
        var type = reader.ReadVarUint();
        if (type == MessageAuth)
        {
            if (reader.ReadVarUint() == AuthToken)
            {
                await AuthenticateAsync(name, reader.ReadVarString(), cancellationToken);
            }

            return;
        }

        if (!_documents.TryGetValue(name, out var document))
        {
            return;
        }

        switch (type)
        {
            case MessageSync:
                var step = reader.ReadVarUint();
                var payload = reader.ReadVarBytes().ToArray();
                switch (step)
                {
                    case SyncStep1:
                        // One read answers both: the document's state vector comes with the diff.
                        var answer = await Context.Documents.SyncAsync(_userId!, document.NoteId, new DocumentSyncRequest { StateVector = payload }, cancellationToken);
                        Connection.Send(document.Frame(MessageSync, SyncStep1, answer.NewStateVector));
                        Connection.Send(document.Frame(MessageSync, SyncStep2, answer.Updates));
                        await ChargeAnswerAsync(answer.Updates.Length, cancellationToken);
                        break;
                    case SyncStep2 or SyncUpdate:
                        // Acknowledged only once the update is stored (or known to be there already).
                        var acknowledgement = new Lib0Writer().VarString(name).VarUint(MessageSyncStatus).VarUint(1).ToArray();
                        await StoreAsync(document.Hub, document, payload, () => Connection.Send(acknowledgement), cancellationToken);
                        break;
                    default:
                        throw new Lib0FormatException("Unknown sync step.");
                }

                break;
            case MessageAwareness:
                if (DecodeAwareness(reader.ReadVarBytes()) is { } entries)
                {
                    Context.Hubs.Awareness(document.Hub, document, entries);
                }

                break;
            case MessageQueryAwareness:
                if (document.Hub.CurrentAwareness() is { } states)
                {
                    document.SendAwareness(states);
                    await ChargeAnswerAsync(states.Length, cancellationToken);
                }

                break;
            case MessageClose:
                _documents.Remove(name);
                Context.Hubs.Leave(document.Hub, document);
                break;
            default:
                // Stateless messages and anything newer: nothing to do.
                break;
        }
    }

    private async Task AuthenticateAsync(string name, string token, CancellationToken cancellationToken)
    {
        var identity = await Context.Authenticator.ValidateAsync(token);
        var noteId = name.Split('\0', 2)[0];
        string? refusal = null;
        if (identity is null)
        {
            refusal = "unauthorized";
        }
        else if (_userId is not null && _userId != identity.UserId)
        {
            refusal = "another user's token on this socket";
        }
        else if (_documents.Count >= MaxDocumentsPerSocket && !_documents.ContainsKey(name))
        {
            refusal = "too many documents on this socket";
        }
        else
        {
            try
            {
                await Context.Documents.StateVectorAsync(identity.UserId, noteId, cancellationToken);
            }
            catch (ApiException)
            {
                refusal = "invalid document name";
            }
        }

        if (refusal is not null)
        {
            Connection.Send(new Lib0Writer().VarString(name).VarUint(MessageAuth).VarUint(AuthPermissionDenied).VarString(refusal).ToArray());
            if (_userId is null)
            {
                Connection.Close(Unauthorized, "A valid access token is required.");
            }

            return;
        }

        if (_userId is null)
        {
            if (!Context.Hubs.TryOpenSocket(identity!.UserId, Context.Limits.MaxSocketsPerUser))
            {
                Connection.Close(TooManySockets, "Too many open sockets for this user.");
                return;
            }

            _userId = identity.UserId;
        }

        CloseAtExpiry(identity!);
        Connection.Send(new Lib0Writer().VarString(name).VarUint(MessageAuth).VarUint(AuthAuthenticated).VarString("read-write").ToArray());
        if (_documents.ContainsKey(name))
        {
            return;
        }

        var document = new DocumentPeer(Connection, name, noteId);
        var (hub, awareness) = Context.Hubs.Join(_userId, noteId, document);
        document.Hub = hub;
        _documents[name] = document;
        if (awareness is not null)
        {
            document.SendAwareness(awareness);
        }
    }

    protected override void SendKeepAlive() => Connection.Send(Ping);

    protected override void Closed()
    {
        foreach (var document in _documents.Values)
        {
            Context.Hubs.Leave(document.Hub, document);
        }

        _documents.Clear();
        if (_userId is not null)
        {
            Context.Hubs.CloseSocket(_userId);
        }
    }

    /// <summary>One document on the socket: frames what its hub sends with the document name.</summary>
    private sealed class DocumentPeer(SocketConnection connection, string name, string noteId) : INotePeer
    {
        public string NoteId { get; } = noteId;

        public NoteHub Hub { get; set; } = null!;

        // Framed with the document's name: sockets that named the note alike share the frame.
        public void SendUpdate(OutgoingUpdate update) => connection.Send(update.Framed(name, u => Frame(MessageSync, SyncUpdate, u)));

        public void SendAwareness(byte[] awarenessUpdate) =>
            connection.Send(new Lib0Writer(awarenessUpdate.Length + name.Length + 8).VarString(name).VarUint(MessageAwareness).VarBytes(awarenessUpdate).ToArray());

        public void Resync() => connection.Close(WebSocketCloseStatus.InternalServerError, ResyncReason);

        public byte[] Frame(int type, int step, byte[] payload) =>
            new Lib0Writer(payload.Length + name.Length + 8).VarString(name).VarUint((ulong)type).VarUint((ulong)step).VarBytes(payload).ToArray();
    }
}
