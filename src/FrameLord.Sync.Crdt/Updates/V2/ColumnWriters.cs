using System.Text;
using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Updates.V2;

/// <summary>
/// lib0 <c>RleEncoder(writeUint8)</c>: a byte, then (when it repeats) the run length minus one. The last run's
/// count is never written: the reader repeats the last value when its input ends.
/// </summary>
internal sealed class ByteRleColumn : IDisposable
{
    private int _last = -1;
    private long _count;

    public ByteWriter Output { get; } = new(64);

    public void Write(byte value)
    {
        if (_last == value)
        {
            _count++;
            return;
        }

        if (_count > 0)
        {
            Output.WriteVarUint((ulong)(_count - 1));
        }

        _count = 1;
        Output.WriteByte(value);
        _last = value;
    }

    public void Dispose() => Output.Dispose();
}

/// <summary>
/// lib0 <c>UintOptRleEncoder</c>: a run of one value is written as the value; a longer run as the negated value
/// (negative zero for 0) followed by the run length minus two.
/// </summary>
internal sealed class UintOptRleColumn : IDisposable
{
    private long _value;
    private long _count;

    public ByteWriter Output { get; } = new(64);

    public void Write(long value)
    {
        if (_value == value)
        {
            _count++;
            return;
        }

        Flush();
        _count = 1;
        _value = value;
    }

    public void Flush()
    {
        if (_count > 0)
        {
            Output.WriteVarInt(_value, negative: _count > 1);
            if (_count > 1)
            {
                Output.WriteVarUint((ulong)(_count - 2));
            }
        }

        _count = 0;
    }

    public void Dispose() => Output.Dispose();
}

/// <summary>
/// lib0 <c>IntDiffOptRleEncoder</c>: runs of equal differences; each run is written as <c>diff * 2 + (run &gt; 1)</c>
/// (a signed varInt), then the run length minus two when the run is longer than one.
/// </summary>
internal sealed class IntDiffOptRleColumn : IDisposable
{
    private long _value;
    private long _count;
    private long _diff;

    public ByteWriter Output { get; } = new(64);

    public void Write(long value)
    {
        if (_diff == value - _value)
        {
            _value = value;
            _count++;
            return;
        }

        Flush();
        _count = 1;
        _diff = value - _value;
        _value = value;
    }

    public void Flush()
    {
        if (_count > 0)
        {
            var encoded = (_diff * 2) + (_count == 1 ? 0 : 1);
            Output.WriteVarInt(Math.Abs(encoded), encoded < 0);
            if (_count > 1)
            {
                Output.WriteVarUint((ulong)(_count - 2));
            }
        }

        _count = 0;
    }

    public void Dispose() => Output.Dispose();
}

/// <summary>
/// lib0 <c>StringEncoder</c>: every string appended to one text (written once as a varString, so a surrogate pair
/// split between two strings is whole again), and the UTF-16 lengths in a <see cref="UintOptRleColumn"/>.
/// </summary>
internal sealed class StringColumn : IDisposable
{
    private readonly StringBuilder _text = new();
    private readonly UintOptRleColumn _lengths = new();

    public void Write(string value)
    {
        _text.Append(value);
        _lengths.Write(value.Length);
    }

    public void WriteTo(ByteWriter output)
    {
        using var column = new ByteWriter(_text.Length + 16);
        column.WriteString(_text.ToString());
        _lengths.Flush();
        column.WriteBytes(_lengths.Output.WrittenSpan);
        output.WriteVarBytes(column.WrittenSpan);
    }

    public void Dispose() => _lengths.Dispose();
}
