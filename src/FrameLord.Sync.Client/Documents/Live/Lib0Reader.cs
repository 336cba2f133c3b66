using System.Text;

namespace FrameLord.Sync.Client.Documents.Live;

/// <summary>
/// Reads lib0 framing from messages the server sent. The server is not trusted more than any peer: every read
/// checks what remains first, so a huge length prefix fails with <see cref="LiveProtocolException"/> without allocating.
/// </summary>
internal ref struct Lib0Reader(ReadOnlySpan<byte> data)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
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
                throw new LiveProtocolException("The message ends inside a number.");
            }

            // 2^53 - 1 is the largest integer lib0 writes; eight 7-bit groups already pass it.
            if (shift > 49)
            {
                throw new LiveProtocolException("A number is out of range.");
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
            throw new LiveProtocolException("A length runs past the end of the message.");
        }

        var span = _data.Slice(_position, (int)length);
        _position += (int)length;
        return span;
    }

    public string ReadVarString()
    {
        try
        {
            return s_strictUtf8.GetString(ReadVarBytes());
        }
        catch (DecoderFallbackException)
        {
            throw new LiveProtocolException("A string is not UTF-8.");
        }
    }
}

/// <summary>A message on a live document socket does not decode; the SDK drops that socket and connects again later.</summary>
internal sealed class LiveProtocolException(string message) : Exception(message);
