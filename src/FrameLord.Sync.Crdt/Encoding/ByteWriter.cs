using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FrameLord.Sync.Crdt.Encoding;

/// <summary>
/// A growable lib0-compatible byte writer (varUint, varInt, varString, floats big-endian). The buffer is rented
/// from the shared pool; call <see cref="ToArray"/> for the result and <see cref="Dispose"/> to return it.
/// </summary>
internal sealed class ByteWriter : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private byte[] _buffer;
    private int _position;

    public ByteWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    public int Length => _position;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    public byte[] ToArray() => _buffer.AsSpan(0, _position).ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int needed)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + needed));
        _buffer.AsSpan(0, _position).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void WriteByte(byte value)
    {
        if (_position == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_position++] = value;
    }

    public void WriteVarUint(ulong value)
    {
        if (_buffer.Length - _position < 10)
        {
            Grow(10);
        }

        var buffer = _buffer;
        var position = _position;
        while (value > 0x7F)
        {
            buffer[position++] = (byte)(0x80 | (value & 0x7F));
            value >>= 7;
        }

        buffer[position++] = (byte)value;
        _position = position;
    }

    public void WriteVarUint(long value) => WriteVarUint((ulong)value);

    /// <summary>lib0 varInt: sign and magnitude, bit 6 of the first byte is the sign.</summary>
    public void WriteVarInt(long magnitude, bool negative)
    {
        WriteByte((byte)((magnitude > 0x3F ? 0x80 : 0) | (negative ? 0x40 : 0) | (int)(magnitude & 0x3F)));
        magnitude >>= 6;
        while (magnitude > 0)
        {
            WriteByte((byte)((magnitude > 0x7F ? 0x80 : 0) | (int)(magnitude & 0x7F)));
            magnitude >>= 7;
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _position < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    public void WriteVarBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarUint((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>varString: UTF-8 with lone surrogates replaced by U+FFFD, as the JavaScript TextEncoder does.</summary>
    public void WriteString(string value) => WriteString(value.AsSpan());

    public void WriteString(ReadOnlySpan<char> value)
    {
        if (value.Length < 128)
        {
            // Every UTF-16 unit becomes at most 3 bytes, so a short string's length prefix fits in two bytes.
            var max = value.Length * 3;
            if (_buffer.Length - _position < max + 2)
            {
                Grow(max + 2);
            }

            var byteCount = Utf8.GetBytes(value, _buffer.AsSpan(_position + 1));
            if (byteCount < 128)
            {
                _buffer[_position] = (byte)byteCount;
                _position += 1 + byteCount;
                return;
            }
        }

        var count = Utf8.GetByteCount(value);
        WriteVarUint((ulong)count);
        if (_buffer.Length - _position < count)
        {
            Grow(count);
        }

        Utf8.GetBytes(value, _buffer.AsSpan(_position));
        _position += count;
    }

    public void WriteFloat32(float value)
    {
        if (_buffer.Length - _position < 4)
        {
            Grow(4);
        }

        BinaryPrimitives.WriteSingleBigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void WriteFloat64(double value)
    {
        if (_buffer.Length - _position < 8)
        {
            Grow(8);
        }

        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void WriteInt64BigEndian(long value)
    {
        if (_buffer.Length - _position < 8)
        {
            Grow(8);
        }

        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }
}
