using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The conflicts listing's cursor: the (created_at, conflict_id) of a page's last conflict, sent as
/// an opaque base64url string. Keyset paging: a page never repeats or skips a conflict, whatever
/// is resolved or recorded between pages.
/// </summary>
internal static class ConflictCursor
{
    private const byte FormatVersion = 1;

    public static string Encode(ConflictPosition position)
    {
        var id = Encoding.UTF8.GetBytes(position.ConflictId);
        var bytes = new byte[9 + id.Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), position.CreatedAt.UtcTicks);
        id.CopyTo(bytes, 9);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string cursor, int maxIdLength, out ConflictPosition? position)
    {
        position = null;
        // A conflict id is at most maxIdLength UTF-16 units, so at most three UTF-8 bytes each.
        var maxBytes = 9 + (3 * maxIdLength);
        if (cursor.Length == 0 || cursor.Length > Base64Url.GetEncodedLength(maxBytes))
        {
            return false;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(cursor.Length)];
        if (!Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written < 10 || bytes[0] != FormatVersion)
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        string id;
        try
        {
            id = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 9, written - 9);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (!ChangeValidator.IsValidId(id, maxIdLength))
        {
            return false;
        }

        position = new ConflictPosition(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
