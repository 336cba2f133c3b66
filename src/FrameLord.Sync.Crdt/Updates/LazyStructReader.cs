using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>Walks the structs of a decoded update in input order (yjs <c>LazyStructReader</c>).</summary>
internal sealed class LazyStructReader
{
    private readonly DecodedUpdate _update;
    private readonly bool _filterSkips;
    private int _section;
    private int _index = -1;

    public LazyStructReader(DecodedUpdate update, bool filterSkips)
    {
        _update = update;
        _filterSkips = filterSkips;
        Next();
    }

    public AbstractStruct? Current { get; private set; }

    public AbstractStruct? Next()
    {
        do
        {
            Current = Advance();
        }
        while (_filterSkips && Current is SkipStruct);

        return Current;
    }

    private AbstractStruct? Advance()
    {
        var sections = _update.Sections;
        while (_section < sections.Count)
        {
            var refs = sections[_section].Refs;
            if (++_index < refs.Count)
            {
                return refs[_index];
            }

            _section++;
            _index = -1;
        }

        return null;
    }
}
