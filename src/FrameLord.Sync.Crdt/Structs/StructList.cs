namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// The structs of one client, sorted by clock and contiguous from clock 0: a growable array searched by
/// interpolation then binary search (yjs <c>findIndexSS</c>).
/// </summary>
internal sealed class StructList
{
    private AbstractStruct[] _items = new AbstractStruct[4];

    public int Count { get; private set; }

    public AbstractStruct this[int index]
    {
        get => _items[index];
        set => _items[index] = value;
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

            var last = _items[Count - 1];
            return last.Clock + last.Length;
        }
    }

    public void Add(AbstractStruct s)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = s;
    }

    public void Insert(int index, AbstractStruct s)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        Array.Copy(_items, index, _items, index + 1, Count - index);
        _items[index] = s;
        Count++;
    }

    public void RemoveRange(int index, int count)
    {
        Array.Copy(_items, index + count, _items, index, Count - index - count);
        Count -= count;
        Array.Clear(_items, Count, count);
    }

    /// <summary>Releases unused capacity (after a bulk load).</summary>
    public void TrimExcess()
    {
        if (_items.Length > Count + 8)
        {
            Array.Resize(ref _items, Math.Max(4, Count));
        }
    }

    /// <summary>Index of the struct containing <paramref name="clock"/>; -1 when no struct contains it.</summary>
    public int FindIndex(long clock)
    {
        var right = Count - 1;
        if (right < 0)
        {
            return -1;
        }

        var items = _items;
        var last = items[right];
        var lastEnd = last.Clock + last.Length;
        if (clock >= lastEnd || clock < 0)
        {
            return -1;
        }

        if (clock >= last.Clock)
        {
            return right;
        }

        var left = 0;
        var mid = (int)(clock / (double)(lastEnd - 1) * right);
        while (left <= right)
        {
            var s = items[mid];
            if (s.Clock <= clock)
            {
                if (clock < s.Clock + s.Length)
                {
                    return mid;
                }

                left = mid + 1;
            }
            else
            {
                right = mid - 1;
            }

            mid = (left + right) >> 1;
        }

        return -1;
    }
}
