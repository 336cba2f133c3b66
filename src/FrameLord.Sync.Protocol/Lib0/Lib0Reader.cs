using System.Text;

namespace FrameLord.Sync.Protocol.Lib0;

/// <summary>
/// A live-socket message does not decode (lib0 framing, y-websocket or Hocuspocus content): the server
/// closes that socket with 4400, the SDK drops it and connects again later.
/// </summary>
public sealed class Lib0FormatException(string message) : Exception(message);

/// <summary>
/// Reads lib0 framing (varUint, varUint8Array, varString) from untrusted socket messages (server and SDK alike). Every read checks
/// what remains first, so a huge length prefix fails without allocating.
/// </summary>
public ref struct Lib0Reader(ReadOnlySpan<byte> data)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    public ulong ReadVarUint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new Lib0FormatException("The message ends inside a number.");
            }

            // 2^53 - 1 is the largest integer lib0 writes; eight 7-bit groups already pass it.
            if (shift > 49)
            {
                throw new Lib0FormatException("A number is out of range.");
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    public ReadOnlySpan<byte> ReadVarBytes()
    {
        var length = ReadVarUint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new Lib0FormatException("A length runs past the end of the message.");
        }

        var span = _data.Slice(_position, (int)length);
        _position += (int)length;
        return span;
    }

    public string ReadVarString()
    {
        try
        {
            return StrictUtf8.GetString(ReadVarBytes());
        }
        catch (DecoderFallbackException)
        {
            throw new Lib0FormatException("A string is not UTF-8.");
        }
    }
}
