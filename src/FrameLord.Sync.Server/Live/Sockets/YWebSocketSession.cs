using System.Net.WebSockets;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Protocol.Lib0;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// One y-websocket socket on one note (y-protocols 1.0.7 framing): varUint message type, then for sync
/// (0) a varUint step (0 step 1 with a state vector, 1 step 2 and 2 update, each with a varUint8Array), for
/// awareness (1) a varUint8Array awareness update, query awareness (3) with nothing. Auth messages (2) are
/// not used: the token came with the upgrade.
/// </summary>
internal sealed class YWebSocketSession(SocketConnection connection, RealtimeContext context, string noteId, string? token)
    : SocketSession(connection, context), INotePeer
{
    private const int MessageSync = 0;
    private const int MessageAwareness = 1;
    private const int MessageAuth = 2;
    private const int MessageQueryAwareness = 3;
    private const int SyncStep1 = 0;
    private const int SyncStep2 = 1;
    private const int SyncUpdate = 2;

    /// <summary>An awareness update that changes nothing: the keep-alive the client counts as a sign of life.</summary>
    private static readonly byte[] EmptyAwareness = new Lib0Writer().VarUint(MessageAwareness).VarBytes([0]).ToArray();

    private SocketIdentity? _identity;
    private NoteHub? _hub;

    /// <summary>The key of y-websocket's update framing (<see cref="OutgoingUpdate.Framed"/>).</summary>
    private static readonly object UpdateFraming = new();

    public void SendUpdate(OutgoingUpdate update) => Connection.Send(update.Framed(UpdateFraming, static u => Frame(MessageSync, SyncUpdate, u)));

    public void Resync() => Connection.Close(WebSocketCloseStatus.InternalServerError, ResyncReason);

    public void SendAwareness(byte[] awarenessUpdate) =>
        Connection.Send(new Lib0Writer(awarenessUpdate.Length + 8).VarUint(MessageAwareness).VarBytes(awarenessUpdate).ToArray());

    protected override async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        _identity = await Context.Authenticator.ValidateAsync(token);
        if (_identity is null)
        {
            Connection.Close(Unauthorized, "A valid access token is required.");
            return false;
        }

        if (!Context.Hubs.TryOpenSocket(_identity.UserId, Context.Limits.MaxSocketsPerUser))
        {
            _identity = null;
            Connection.Close(TooManySockets, "Too many open sockets for this user.");
            return false;
        }

        CloseAtExpiry(_identity);
        // Join before reading the state, so that no update stored in between is missed (a repeat is harmless).
        var (hub, awareness) = Context.Hubs.Join(_identity.UserId, noteId, this);
        _hub = hub;
        var stateVector = await Context.Documents.StateVectorAsync(_identity.UserId, noteId, cancellationToken);
        Connection.Send(Frame(MessageSync, SyncStep1, stateVector));
        if (awareness is not null)
        {
            SendAwareness(awareness);
        }

        return true;
    }

    protected override async Task HandleAsync(byte[] message, CancellationToken cancellationToken)
    {
        var (userId, hub) = (_identity!.UserId, _hub!);
        var reader = new Lib0Reader(message);
        switch (reader.ReadVarUint())
        {
            case MessageSync:
                var step = reader.ReadVarUint();
                var payload = reader.ReadVarBytes().ToArray();
                switch (step)
                {
                    case SyncStep1:
                        var answer = await Context.Documents.SyncAsync(userId, noteId, new DocumentSyncRequest { StateVector = payload }, cancellationToken);
                        Connection.Send(Frame(MessageSync, SyncStep2, answer.Updates));
                        await ChargeAnswerAsync(answer.Updates.Length, cancellationToken);
                        break;
                    case SyncStep2 or SyncUpdate:
                        await StoreAsync(hub, this, payload, stored: null, cancellationToken);
                        break;
                    default:
                        throw new Lib0FormatException("Unknown sync step.");
                }

                break;
            case MessageAwareness:
                if (DecodeAwareness(reader.ReadVarBytes()) is { } entries)
                {
                    Context.Hubs.Awareness(hub, this, entries);
                }

                break;
            case MessageQueryAwareness:
                if (hub.CurrentAwareness() is { } states)
                {
                    SendAwareness(states);
                    await ChargeAnswerAsync(states.Length, cancellationToken);
                }

                break;
            case MessageAuth:
                break;
            default:
                throw new Lib0FormatException("Unknown message type.");
        }
    }

    protected override void SendKeepAlive() => Connection.Send(EmptyAwareness);

    protected override void Closed()
    {
        if (_hub is not null)
        {
            Context.Hubs.Leave(_hub, this);
        }

        if (_identity is not null)
        {
            Context.Hubs.CloseSocket(_identity.UserId);
        }
    }

    private static byte[] Frame(int type, int step, byte[] payload) =>
        new Lib0Writer(payload.Length + 8).VarUint((ulong)type).VarUint((ulong)step).VarBytes(payload).ToArray();
}
