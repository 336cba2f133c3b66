using System.Buffers.Binary;
using System.Buffers.Text;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The pull cursor, sent as an opaque base64url string so clients never build or compare one: a position
/// in the user's change sequence and the purge horizon (the user's purged seq) the pull that issued it had
/// already passed. Tombstones purged at or below that horizon were gone before the pulls that led here
/// began, so they cannot have been missed: only a purge that moves the horizon beyond both makes the
/// cursor stale (DESIGN 3.3: a fresh full pull never leads straight into 410).
/// </summary>
internal static class Cursor
{
    private const byte SeqOnly = 1;
    private const byte WithHorizon = 2;

    /// <summary>A position only (format 1), as live events announce it: its horizon is 0.</summary>
    public static string Encode(long seq)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = SeqOnly;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], seq);
        return Base64Url.EncodeToString(bytes);
    }

    public static string Encode(long seq, long horizon)
    {
        Span<byte> bytes = stackalloc byte[17];
        bytes[0] = WithHorizon;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], horizon);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Only base64url's alphabet: anything else is refused before decoding (the decoder's own handling of stray characters is not relied on).</summary>
    public static bool IsBase64Url(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryDecode(string? cursor, out long seq) => TryDecode(cursor, out seq, out _);

    public static bool TryDecode(string? cursor, out long seq, out long horizon)
    {
        seq = 0;
        horizon = 0;
        Span<byte> bytes = stackalloc byte[17];
        if (cursor is not ({ Length: 12 } or { Length: 23 }) || !IsBase64Url(cursor) || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written))
        {
            return false;
        }

        switch (bytes[0])
        {
            case SeqOnly when written == 9:
                seq = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
                return seq >= 0;
            case WithHorizon when written == 17:
                seq = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
                horizon = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
                return seq >= 0 && horizon >= 0;
            default:
                seq = 0;
                return false;
        }
    }
}
