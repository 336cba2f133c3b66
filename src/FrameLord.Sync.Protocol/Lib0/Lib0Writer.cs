using System.Buffers;
using System.Text;

namespace FrameLord.Sync.Protocol.Lib0;

/// <summary>Writes lib0 framing (varUint, varUint8Array, varString) for live-socket messages (y-websocket and Hocuspocus).</summary>
public sealed class Lib0Writer(int capacity = 64)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(capacity);

    public Lib0Writer VarUint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
        return this;
    }

    public Lib0Writer VarBytes(ReadOnlySpan<byte> bytes)
    {
        VarUint((ulong)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    public Lib0Writer VarString(string value) => VarBytes(Encoding.UTF8.GetBytes(value));

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
