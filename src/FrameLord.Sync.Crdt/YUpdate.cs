using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// Functions on Yjs v1 updates that need no document (yjs <c>mergeUpdates</c>, <c>diffUpdate</c>,
/// <c>encodeStateVectorFromUpdate</c>). Their output is byte-identical to yjs 13.6 for well-formed input. Every
/// function checks its input fully and throws <see cref="YjsFormatException"/> on malformed bytes.
/// </summary>
public static partial class YUpdate
{
    /// <summary>The empty update: no structs, no deletions (<c>00 00</c>).</summary>
    public static ReadOnlySpan<byte> Empty => [0, 0];

    /// <summary>
    /// Decodes <paramref name="update"/> completely without a document and throws
    /// <see cref="YjsFormatException"/> on anything malformed. Bytes after the delete set are ignored, as yjs does.
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> update) => UpdateDecoder.Decode(update);

    /// <summary>Decodes an encoded state vector into client → next expected clock. Empty input is the empty vector.</summary>
    public static IReadOnlyDictionary<ulong, long> DecodeStateVector(ReadOnlySpan<byte> stateVector) => DecodeStateVectorInternal(stateVector);

    /// <summary>Encodes client → next expected clock as a state vector (clients descending, as yjs writes them).</summary>
    public static byte[] EncodeStateVector(IReadOnlyDictionary<ulong, long> stateVector)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        return UpdateEncoder.EncodeStateVector(new Dictionary<ulong, long>(stateVector));
    }

    internal static Dictionary<ulong, long> DecodeStateVectorInternal(ReadOnlySpan<byte> stateVector) => UpdateEncoder.DecodeStateVector(stateVector);
}
