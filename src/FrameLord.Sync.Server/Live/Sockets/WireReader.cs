using System.Text;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>A message on a socket does not decode (lib0 framing); the socket is closed with 4400.</summary>
internal sealed class WireFormatException(string message) : Exception(message);

/// <summary>
/// Reads lib0 framing (varUint, varUint8Array, varString) from untrusted socket messages. Every read checks
/// what remains first, so a huge length prefix fails without allocating.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
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
                throw new WireFormatException("The message ends inside a number.");
            }

            // 2^53 - 1 is the largest integer lib0 writes; eight 7-bit groups already pass it.
            if (shift > 49)
            {
                throw new WireFormatException("A number is out of range.");
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
            throw new WireFormatException("A length runs past the end of the message.");
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
            throw new WireFormatException("A string is not UTF-8.");
        }
    }
}
