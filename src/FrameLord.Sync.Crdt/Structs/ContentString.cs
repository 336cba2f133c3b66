using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Content ref 4: text. Lengths are UTF-16 code units, as in yjs. The characters live in a char buffer that
/// grows in place when typing merges one-character items into it, so sequential typing does not copy the run.
/// </summary>
internal sealed class ContentString : Content
{
    private char[] _chars;
    private int _count;

    public ContentString(string text)
    {
        _chars = text.ToCharArray();
        _count = _chars.Length;
    }

    public ContentString(char[] chars, int count)
    {
        _chars = chars;
        _count = count;
    }

    public override int Ref => 4;

    public override long Length => _count;

    public ReadOnlySpan<char> Span => _chars.AsSpan(0, _count);

    public override string ToString() => new(_chars, 0, _count);

    public override Content Splice(long offset)
    {
        var at = (int)offset;
        var rightChars = _chars.AsSpan(at, _count - at).ToArray();
        var right = new ContentString(rightChars, rightChars.Length);
        if (at < _chars.Length / 2)
        {
            // Give back the space of a large buffer that now holds a small left part.
            _chars = _chars.AsSpan(0, at).ToArray();
        }

        _count = at;
        // A split inside a surrogate pair leaves U+FFFD on both sides (yjs #248).
        if (at > 0 && char.IsHighSurrogate(_chars[at - 1]))
        {
            _chars[at - 1] = '\uFFFD';
            if (right._count > 0)
            {
                right._chars[0] = '\uFFFD';
            }
        }

        return right;
    }

    public override bool TryMerge(Content right)
    {
        var other = (ContentString)right;
        var needed = _count + other._count;
        if (needed > _chars.Length)
        {
            var grown = new char[Math.Max(needed, Math.Min(_chars.Length * 2, needed + 4096))];
            _chars.AsSpan(0, _count).CopyTo(grown);
            _chars = grown;
        }

        other._chars.AsSpan(0, other._count).CopyTo(_chars.AsSpan(_count));
        _count = needed;
        return true;
    }

    public override void Write(ByteWriter writer, long offset) => writer.WriteString(_chars.AsSpan((int)offset, _count - (int)offset));

    public override void AppendValues(List<object?> values)
    {
        for (var i = 0; i < _count; i++)
        {
            values.Add(_chars[i].ToString());
        }
    }
}
