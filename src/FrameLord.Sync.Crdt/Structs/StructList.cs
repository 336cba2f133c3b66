namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// The structs of one client, sorted by clock and contiguous from clock 0. Stored as a list of chunks of at
/// most <see cref="ChunkCapacity"/> structs so that splitting and merging items in the middle of a long
/// history moves a few hundred references instead of the whole array. Lookup by clock is a binary search
/// over chunks, then within the chunk (yjs <c>findIndexSS</c> semantics).
/// </summary>
internal sealed class StructList
{
    /// <summary>Chunks are split in two when they would grow beyond this many structs.</summary>
    internal const int ChunkCapacity = 256;

    /// <summary>How many structs a full last chunk hands to the new chunk opened by an append.</summary>
    private const int AppendSpill = 16;

    private AbstractStruct[][] _chunks = [new AbstractStruct[16]];
    private int[] _counts = new int[1];

    // Global index of the first struct of each chunk, valid for the chunks before _validStarts only: an
    // insert or removal early in a long list would otherwise shift every later start, and a delete set
    // that splits an item at every other clock would pay the whole chunk count per split.
    private int[] _starts = new int[1];
    private int _validStarts = 1;
    private int _chunkCount = 1;
    private int _lastChunk;

    public StructList(ulong client)
    {
        Client = client;
    }

    public ulong Client { get; }

    /// <summary>Id of the last transaction that added a struct here (see <see cref="Transaction.Touch"/>).</summary>
    public long TransactionId { get; set; } = -1;

    /// <summary>The state when that transaction first added a struct.</summary>
    public long StateBeforeTransaction { get; set; }

    public int Count { get; private set; }

    public AbstractStruct this[int index]
    {
        get
        {
            var c = Locate(index);
            return _chunks[c][index - _starts[c]];
        }

        set
        {
            var c = Locate(index);
            _chunks[c][index - _starts[c]] = value;
        }
    }

    /// <summary>The next expected clock: the end of the last struct.</summary>
    public long State
    {
        get
        {
            if (Count == 0)
            {
                return 0;
            }

            // Only the last chunk may be empty (kept for the next append).
            var c = _chunkCount - 1;
            if (_counts[c] == 0)
            {
                c--;
            }

            var last = _chunks[c][_counts[c] - 1];
            return last.Clock + last.Length;
        }
    }

    /// <summary>Makes the starts of chunks 0 to <paramref name="chunk"/> valid.</summary>
    private void EnsureStarts(int chunk)
    {
        for (var i = _validStarts; i <= chunk; i++)
        {
            _starts[i] = _starts[i - 1] + _counts[i - 1];
        }

        _validStarts = Math.Max(_validStarts, chunk + 1);
    }

    /// <summary>The starts of chunk <paramref name="chunk"/> and later are stale.</summary>
    private void InvalidateStarts(int chunk) => _validStarts = Math.Max(1, Math.Min(_validStarts, chunk));

    private int Locate(int index)
    {
        var c = _lastChunk;
        if (c < _validStarts && index >= _starts[c] && index < _starts[c] + _counts[c])
        {
            return c;
        }

        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        // Extend the valid prefix until it reaches the index (sequential access extends it a chunk at a time).
        while (_validStarts < _chunkCount && _starts[_validStarts - 1] + _counts[_validStarts - 1] <= index)
        {
            EnsureStarts(_validStarts);
        }

        var lo = 0;
        var hi = _validStarts - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_starts[mid] <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Skip empty chunks (only the first chunk of an empty list can be empty).
        while (_counts[lo] == 0 && lo + 1 < _chunkCount)
        {
            lo++;
            EnsureStarts(lo);
        }

        _lastChunk = lo;
        return lo;
    }

    public void Add(AbstractStruct s)
    {
        var c = _chunkCount - 1;
        if (_counts[c] == ChunkCapacity)
        {
            // Move the last few structs to a new chunk rather than open an empty one: appending and then
            // merging the appended struct away (typing) must not create and drop a chunk every time, and
            // appends should leave the earlier chunks nearly full.
            SplitChunk(c, ChunkCapacity - AppendSpill);
            c = _chunkCount - 1;
        }

        AppendToChunk(c, s);
        Count++;
    }

    private void AppendToChunk(int c, AbstractStruct s)
    {
        var chunk = _chunks[c];
        if (_counts[c] == chunk.Length)
        {
            Array.Resize(ref _chunks[c], Math.Min(ChunkCapacity, chunk.Length * 2));
            chunk = _chunks[c];
        }

        chunk[_counts[c]++] = s;
    }

    public void Insert(int index, AbstractStruct s)
    {
        if (index == Count)
        {
            Add(s);
            return;
        }

        var c = Locate(index);
        if (_counts[c] == ChunkCapacity)
        {
            SplitChunk(c);
            c = Locate(index);
        }

        var offset = index - _starts[c];
        var chunk = _chunks[c];
        if (_counts[c] == chunk.Length)
        {
            Array.Resize(ref _chunks[c], Math.Min(ChunkCapacity, chunk.Length * 2));
            chunk = _chunks[c];
        }

        Array.Copy(chunk, offset, chunk, offset + 1, _counts[c] - offset);
        chunk[offset] = s;
        _counts[c]++;
        InvalidateStarts(c + 1);

        Count++;
    }

    public void RemoveRange(int index, int count)
    {
        while (count > 0)
        {
            var c = Locate(index);
            var offset = index - _starts[c];
            var n = Math.Min(count, _counts[c] - offset);
            var chunk = _chunks[c];
            Array.Copy(chunk, offset + n, chunk, offset, _counts[c] - offset - n);
            _counts[c] -= n;
            Array.Clear(chunk, _counts[c], n);
            InvalidateStarts(c + 1);

            Count -= n;
            count -= n;
            if (_counts[c] == 0 && _chunkCount > 1 && c != _chunkCount - 1)
            {
                // An empty last chunk is kept for the next append.
                RemoveChunk(c);
            }
        }
    }

    private void SplitChunk(int c) => SplitChunk(c, _counts[c] / 2);

    private void SplitChunk(int c, int half)
    {
        var chunk = _chunks[c];
        var right = new AbstractStruct[ChunkCapacity];
        Array.Copy(chunk, half, right, 0, _counts[c] - half);
        Array.Clear(chunk, half, _counts[c] - half);
        var rightCount = _counts[c] - half;
        _counts[c] = half;
        EnsureStarts(c);
        InsertChunk(c + 1, right, rightCount, _starts[c] + half);
    }

    private void InsertChunk(int at, AbstractStruct[] chunk, int count, int start)
    {
        if (_chunkCount == _chunks.Length)
        {
            var capacity = _chunks.Length * 2;
            Array.Resize(ref _chunks, capacity);
            Array.Resize(ref _counts, capacity);
            Array.Resize(ref _starts, capacity);
        }

        Array.Copy(_chunks, at, _chunks, at + 1, _chunkCount - at);
        Array.Copy(_counts, at, _counts, at + 1, _chunkCount - at);
        Array.Copy(_starts, at, _starts, at + 1, _chunkCount - at);
        _chunks[at] = chunk;
        _counts[at] = count;
        _starts[at] = start;
        _chunkCount++;
        _lastChunk = 0;
        InvalidateStarts(at + 1);
    }

    private void RemoveChunk(int c)
    {
        Array.Copy(_chunks, c + 1, _chunks, c, _chunkCount - c - 1);
        Array.Copy(_counts, c + 1, _counts, c, _chunkCount - c - 1);
        Array.Copy(_starts, c + 1, _starts, c, _chunkCount - c - 1);
        _chunkCount--;
        _chunks[_chunkCount] = null!;
        _lastChunk = 0;
        _starts[0] = 0;
        InvalidateStarts(c);
    }

    /// <summary>Index of the struct containing <paramref name="clock"/>; -1 when no struct contains it.</summary>
    public int FindIndex(long clock)
    {
        if (Count == 0 || clock < 0 || clock >= State)
        {
            return -1;
        }

        // The chunk: the last one whose first struct starts at or before the clock.
        var lo = 0;
        var hi = _chunkCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_counts[mid] > 0 && _chunks[mid][0].Clock <= clock)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var chunk = _chunks[lo];
        var left = 0;
        var right = _counts[lo] - 1;
        while (left <= right)
        {
            var m = (left + right) >> 1;
            var s = chunk[m];
            if (s.Clock <= clock)
            {
                if (clock < s.Clock + s.Length)
                {
                    _lastChunk = lo;
                    EnsureStarts(lo);
                    return _starts[lo] + m;
                }

                left = m + 1;
            }
            else
            {
                right = m - 1;
            }
        }

        return -1;
    }
}
