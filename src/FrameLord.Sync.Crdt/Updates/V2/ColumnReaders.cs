using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Updates.V2;

/// <summary>lib0 <c>RleDecoder(readUint8)</c>: after the input ends, the last value repeats forever.</summary>
internal ref struct ByteRleReader(ReadOnlySpan<byte> data)
{
    private ByteReader _reader = new(data);
    private byte _value;
    private long _count;

    public byte Read()
    {
        if (_count == 0)
        {
            _value = _reader.ReadByte();
            _count = _reader.Remaining > 0 ? _reader.ReadVarUint() + 1 : -1;
        }

        _count--;
        return _value;
    }
}

/// <summary>lib0 <c>UintOptRleDecoder</c> (see <see cref="UintOptRleColumn"/>).</summary>
internal ref struct UintOptRleReader(ReadOnlySpan<byte> data)
{
    private ByteReader _reader = new(data);
    private long _value;
    private long _count;

    public long Read()
    {
        if (_count == 0)
        {
            _value = _reader.ReadVarInt(out var negative);
            _count = negative ? _reader.ReadVarUint() + 2 : 1;
        }

        _count--;
        return _value;
    }
}

/// <summary>lib0 <c>IntDiffOptRleDecoder</c> (see <see cref="IntDiffOptRleColumn"/>).</summary>
internal ref struct IntDiffOptRleReader(ReadOnlySpan<byte> data)
{
    private ByteReader _reader = new(data);
    private long _value;
    private long _count;
    private long _diff;

    public long Read()
    {
        if (_count == 0)
        {
            var magnitude = _reader.ReadVarInt(out var negative);
            var encoded = negative ? -magnitude : magnitude;
            _diff = encoded >> 1;
            _count = (encoded & 1) != 0 ? _reader.ReadVarUint() + 2 : 1;
        }

        _value += _diff;
        if (_value < 0 || _value > ByteReader.MaxSafeInteger)
        {
            throw new YjsFormatException("A clock or key index out of range.");
        }

        _count--;
        return _value;
    }
}

/// <summary>lib0 <c>StringDecoder</c>: one text, cut into strings by UTF-16 lengths.</summary>
internal ref struct StringColumnReader
{
    private readonly string _text;
    private UintOptRleReader _lengths;
    private int _position;

    public StringColumnReader(ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        _text = reader.ReadString();
        _lengths = new UintOptRleReader(data[reader.Position..]);
        _position = 0;
    }

    public string Read()
    {
        var length = _lengths.Read();
        if (length < 0 || length > _text.Length - _position)
        {
            throw new YjsFormatException("A string reaches past the string column.");
        }

        var value = _text.Substring(_position, (int)length);
        _position += (int)length;
        return value;
    }
}
