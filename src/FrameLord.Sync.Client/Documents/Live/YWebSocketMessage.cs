using FrameLord.Sync.Protocol.Lib0;

namespace FrameLord.Sync.Client.Documents.Live;

/// <summary>The kinds of y-websocket messages (y-protocols 1.0.7 framing, DESIGN 3.8).</summary>
internal enum YMessageKind
{
    /// <summary>Sync step 1: the sender's state vector; the receiver answers with step 2.</summary>
    SyncStep1,

    /// <summary>Sync step 2: what the receiver lacks, as a Yjs v1 update.</summary>
    SyncStep2,

    /// <summary>A Yjs v1 update made after the handshake.</summary>
    Update,

    /// <summary>An awareness update (y-protocols awareness encoding).</summary>
    Awareness,

    /// <summary>Asks for every awareness state the receiver knows.</summary>
    QueryAwareness,

    /// <summary>An auth message: not used on this endpoint (the token comes with the upgrade); ignored.</summary>
    Auth,
}

/// <summary>
/// One y-websocket message: a varUint message type, then for sync (0) a varUint step (0 step 1 with a state
/// vector, 1 step 2 and 2 update, each a varUint8Array), for awareness (1) a varUint8Array, query awareness
/// (3) nothing, auth (2) whatever follows.
/// </summary>
internal readonly record struct YWebSocketMessage(YMessageKind Kind, byte[] Payload)
{
    private const ulong MessageSync = 0;
    private const ulong MessageAwareness = 1;
    private const ulong MessageAuth = 2;
    private const ulong MessageQueryAwareness = 3;
    private const ulong Step1 = 0;
    private const ulong Step2 = 1;
    private const ulong StepUpdate = 2;

    public static byte[] SyncStep1(ReadOnlySpan<byte> stateVector) => Sync(Step1, stateVector);

    public static byte[] SyncStep2(ReadOnlySpan<byte> update) => Sync(Step2, update);

    public static byte[] Update(ReadOnlySpan<byte> update) => Sync(StepUpdate, update);

    public static byte[] Awareness(ReadOnlySpan<byte> awarenessUpdate) =>
        new Lib0Writer(awarenessUpdate.Length + 8).VarUint(MessageAwareness).VarBytes(awarenessUpdate).ToArray();

    public static byte[] QueryAwareness() => new Lib0Writer(1).VarUint(MessageQueryAwareness).ToArray();

    private static byte[] Sync(ulong step, ReadOnlySpan<byte> payload) =>
        new Lib0Writer(payload.Length + 8).VarUint(MessageSync).VarUint(step).VarBytes(payload).ToArray();

    /// <summary>Decodes one whole message. Throws <see cref="Lib0FormatException"/> when it does not decode.</summary>
    public static YWebSocketMessage Decode(ReadOnlySpan<byte> message)
    {
        var reader = new Lib0Reader(message);
        switch (reader.ReadVarUint())
        {
            case MessageSync:
                var step = reader.ReadVarUint();
                var payload = reader.ReadVarBytes().ToArray();
                return step switch
                {
                    Step1 => new(YMessageKind.SyncStep1, payload),
                    Step2 => new(YMessageKind.SyncStep2, payload),
                    StepUpdate => new(YMessageKind.Update, payload),
                    _ => throw new Lib0FormatException("Unknown sync step."),
                };
            case MessageAwareness:
                return new(YMessageKind.Awareness, reader.ReadVarBytes().ToArray());
            case MessageQueryAwareness:
                return new(YMessageKind.QueryAwareness, []);
            case MessageAuth:
                return new(YMessageKind.Auth, []);
            default:
                throw new Lib0FormatException("Unknown message type.");
        }
    }
}
