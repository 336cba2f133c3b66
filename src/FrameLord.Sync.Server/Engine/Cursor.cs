using System.Buffers.Binary;
using System.Buffers.Text;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The pull cursor: a position in the user's change sequence, sent as an opaque base64url string
/// so clients never build or compare one.
/// </summary>
internal static class Cursor
{
    public static string Encode(long seq)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = 1; // format version
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], seq);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? cursor, out long seq)
    {
        seq = 0;
        Span<byte> bytes = stackalloc byte[9];
        if (cursor is not { Length: 12 } || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != 9 || bytes[0] != 1)
        {
            return false;
        }

        seq = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        return seq >= 0;
    }
}
