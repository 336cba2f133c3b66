using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// Content ref 4: text. Lengths are UTF-16 code units, as in yjs. The characters live in a char buffer that
/// grows in place when typing merges one-character items into it, so sequential typing does not copy the run.
/// A split shares the buffer between both halves (each a disjoint window of it) instead of copying the right
/// part: a delete set that cuts a long item at every other character costs one window per cut, not a copy of
/// the rest each time. A shared window copies itself out before it grows.
/// </summary>
internal sealed class ContentString : Content
{
    private char[] _chars;
    private int _start;
    private int _count;

    // Another content holds a window of the same buffer: appending in place could overwrite it.
    private bool _shared;

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

    private ContentString(char[] chars, int start, int count)
    {
        _chars = chars;
        _start = start;
        _count = count;
        _shared = true;
    }

    public override int Ref => 4;

    public override long Length => _count;

    public ReadOnlySpan<char> Span => _chars.AsSpan(_start, _count);

    public override string ToString() => new(_chars, _start, _count);

    public override Content Splice(long offset)
    {
        var at = (int)offset;
        var right = new ContentString(_chars, _start + at, _count - at);
        _shared = true;
        _count = at;
        // A split inside a surrogate pair leaves U+FFFD on both sides (yjs #248); the two windows are disjoint.
        if (at > 0 && char.IsHighSurrogate(_chars[_start + at - 1]))
        {
            _chars[_start + at - 1] = '\uFFFD';
            if (right._count > 0)
            {
                right._chars[right._start] = '\uFFFD';
            }
        }

        return right;
    }

    public override bool Mergeable => true;

    public override bool TryMerge(Content right)
    {
        var other = (ContentString)right;
        var needed = _count + other._count;
        if (_shared || _start + needed > _chars.Length)
        {
            // Grow by half (at least 16): appends stay amortized linear however long the run.
            var grown = new char[Math.Max(needed, _count + Math.Max(_count / 2, 16))];
            _chars.AsSpan(_start, _count).CopyTo(grown);
            _chars = grown;
            _start = 0;
            _shared = false;
        }

        other.Span.CopyTo(_chars.AsSpan(_start + _count));
        _count = needed;
        return true;
    }

    public override void Write(ByteWriter writer, long offset) => writer.WriteString(_chars.AsSpan(_start + (int)offset, _count - (int)offset));

    public override void AppendValues(List<object?> values)
    {
        for (var i = 0; i < _count; i++)
        {
            values.Add(_chars[_start + i].ToString());
        }
    }
}
