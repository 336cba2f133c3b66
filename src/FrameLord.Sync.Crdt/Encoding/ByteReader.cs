using System.Buffers.Binary;
using System.Text;

namespace FrameLord.Sync.Crdt.Encoding;

/// <summary>
/// A lib0-compatible reader over untrusted bytes. Every read checks the remaining length first and throws
/// <see cref="YjsFormatException"/>; nothing is allocated from a length prefix larger than what remains.
/// </summary>
internal ref struct ByteReader
{
    /// <summary>2^53 - 1, the largest integer a JavaScript number holds exactly; varUints above it are rejected.</summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ByteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public static YjsFormatException Truncated() => new("Unexpected end of input.");

    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated();
        }

        return _data[_position++];
    }

    public long ReadVarUint()
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw Truncated();
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
            if (shift > 49)
            {
                throw new YjsFormatException("varUint above 2^53-1.");
            }
        }

        if (value > MaxSafeInteger)
        {
            throw new YjsFormatException("varUint above 2^53-1.");
        }

        return (long)value;
    }

    /// <summary>Reads a varUint that must fit an int (a count or a byte length).</summary>
    public int ReadLength()
    {
        var value = ReadVarUint();
        if (value > int.MaxValue)
        {
            throw new YjsFormatException("Length out of range.");
        }

        return (int)value;
    }

    /// <summary>lib0 varInt (sign and magnitude). Returns the magnitude; <paramref name="negative"/> is the sign bit.</summary>
    public long ReadVarInt(out bool negative)
    {
        var b = ReadByte();
        long value = b & 0x3F;
        negative = (b & 0x40) != 0;
        if (b < 0x80)
        {
            return value;
        }

        var shift = 6;
        while (true)
        {
            b = ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
            if (shift > 49)
            {
                throw new YjsFormatException("varInt above 2^53-1.");
            }
        }

        if (value > MaxSafeInteger)
        {
            throw new YjsFormatException("varInt above 2^53-1.");
        }

        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw Truncated();
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public ReadOnlySpan<byte> ReadVarBytes() => ReadBytes(ReadLength());

    /// <summary>varString, decoded strictly: invalid UTF-8 is malformed input (the JavaScript decoder is fatal too).</summary>
    public string ReadString()
    {
        var bytes = ReadVarBytes();
        if (bytes.Length == 0)
        {
            return string.Empty;
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new YjsFormatException("Invalid UTF-8 in a string.", e);
        }
    }

    public float ReadFloat32() => BinaryPrimitives.ReadSingleBigEndian(ReadBytes(4));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8));

    public long ReadInt64BigEndian() => BinaryPrimitives.ReadInt64BigEndian(ReadBytes(8));
}
