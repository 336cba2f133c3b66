using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// Writes structs one by one, opening a new client section whenever the client changes, and assembles the
/// struct part of an update at the end (yjs <c>LazyStructWriter</c>).
/// </summary>
internal sealed class LazyStructWriter : IDisposable
{
    private readonly ByteWriter _body = new(1024);
    private readonly List<(int Written, int Start, int End)> _sections = [];
    private ulong _client;
    private int _written;
    private int _sectionStart;

    public void Write(AbstractStruct s, long offset)
    {
        Open(s.Client, s.Clock + offset);
        UpdateEncoder.WriteStruct(_body, s, offset);
        _written++;
    }

    /// <summary>Writes a whole struct by copying its encoded bytes.</summary>
    public void Write(ulong client, long clock, ReadOnlySpan<byte> raw)
    {
        Open(client, clock);
        _body.WriteBytes(raw);
        _written++;
    }

    private void Open(ulong client, long clock)
    {
        if (_written > 0 && _client != client)
        {
            Flush();
        }

        if (_written == 0)
        {
            _client = client;
            _sectionStart = _body.Length;
            _body.WriteVarUint(client);
            _body.WriteVarUint(clock);
        }
    }

    private void Flush()
    {
        if (_written > 0)
        {
            _sections.Add((_written, _sectionStart, _body.Length));
            _written = 0;
        }
    }

    /// <summary>Writes the section count and every section to <paramref name="output"/>.</summary>
    public void Finish(ByteWriter output)
    {
        Flush();
        output.WriteVarUint((ulong)_sections.Count);
        var body = _body.WrittenSpan;
        foreach (var (written, start, end) in _sections)
        {
            output.WriteVarUint((ulong)written);
            output.WriteBytes(body[start..end]);
        }
    }

    public void Dispose() => _body.Dispose();
}
