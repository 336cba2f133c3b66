using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// An update as the integrability check needs it, kept small whatever its size: per client section its
/// clock range, and only the points where integrating it might stop: a struct that names another
/// client's content (its origin, right origin or parent), and a skipped range. A struct's references
/// to its own client always point before it, so a run of such structs integrates as one range.
/// </summary>
internal sealed class ScannedUpdate
{
    private ScannedUpdate(List<ScannedSection> sections, Dictionary<ulong, int> bySection, List<ScanEvent> events, DeleteSet deleteSet)
    {
        Sections = sections;
        BySection = bySection;
        Events = events;
        DeleteSet = deleteSet;
    }

    public List<ScannedSection> Sections { get; }

    /// <summary>Client → index in <see cref="Sections"/>; -1 for a client whose section holds no struct.</summary>
    public Dictionary<ulong, int> BySection { get; }

    /// <summary>Every section's events, in clock order, the sections' in turn.</summary>
    public List<ScanEvent> Events { get; }

    public DeleteSet DeleteSet { get; }

    public static ScannedUpdate Scan(ReadOnlySpan<byte> update, CancellationToken cancellationToken)
    {
        var sink = new Sink([], [], []);
        var deleteSet = UpdateScanner.Scan(update, ref sink, cancellationToken);
        sink.Close();
        return new ScannedUpdate(sink.Sections, sink.BySection, sink.Events, deleteSet);
    }

    /// <summary>True when every struct (skips aside) lies within <paramref name="stateVector"/>.</summary>
    public bool StructsCovered(IReadOnlyDictionary<ulong, long> stateVector)
    {
        foreach (var section in Sections)
        {
            if (section.ContentEnd > stateVector.GetValueOrDefault(section.Client))
            {
                return false;
            }
        }

        return true;
    }

    private struct Sink(List<ScannedSection> sections, Dictionary<ulong, int> bySection, List<ScanEvent> events) : UpdateScanner.IScanSink
    {
        private bool _open;
        private ScannedSection _current;

        public readonly List<ScannedSection> Sections => sections;

        public readonly Dictionary<ulong, int> BySection => bySection;

        public readonly List<ScanEvent> Events => events;

        public readonly bool RefusesRepeatedClients => true;

        /// <summary>Sizes the section list and map once (a million-section update would otherwise grow them twenty times).</summary>
        public readonly void Begin(int sections)
        {
            sections = Math.Min(sections, 1 << 20);
            Sections.EnsureCapacity(sections);
            BySection.EnsureCapacity(sections);
            Events.EnsureCapacity(sections); // as many again: a section of other clients' dependents has at least one
        }

        public void Section(ulong client, long clock)
        {
            Close();
            if (!bySection.TryAdd(client, -1))
            {
                throw new YjsFormatException($"Client {client} appears in two sections.");
            }

            _current = new ScannedSection(client, clock, clock, -1, events.Count, events.Count);
            _open = true;
        }

        public void Struct(in ScannedStruct scanned, in StructDependencies needs)
        {
            var client = scanned.Client;
            var end = scanned.EndClock;
            if (scanned.Kind == ScannedKind.Skip)
            {
                events.Add(new ScanEvent(scanned.Clock, end, 0, ScanEvent.Skipped));
            }
            else
            {
                _current = _current with { ContentEnd = end };
                if (needs.OriginClock >= 0 && needs.OriginClient != client)
                {
                    events.Add(new ScanEvent(scanned.Clock, end, needs.OriginClient, needs.OriginClock));
                }

                if (needs.RightOriginClock >= 0 && needs.RightOriginClient != client)
                {
                    events.Add(new ScanEvent(scanned.Clock, end, needs.RightOriginClient, needs.RightOriginClock));
                }

                if (needs.ParentClock >= 0 && needs.ParentClient != client)
                {
                    events.Add(new ScanEvent(scanned.Clock, end, needs.ParentClient, needs.ParentClock));
                }
            }

            _current = _current with { End = end };
        }

        /// <summary>Ends the open section; one with no struct is left out.</summary>
        public void Close()
        {
            if (_open && _current.End > _current.Start)
            {
                bySection[_current.Client] = sections.Count;
                sections.Add(_current with { EventEnd = events.Count });
            }

            _open = false;
        }
    }
}

/// <summary>
/// One client's section: structs from <paramref name="Start"/> to <paramref name="End"/>, the last one that
/// is not a skip ending at <paramref name="ContentEnd"/> (-1: none), its events at [FirstEvent, EventEnd).
/// </summary>
internal readonly record struct ScannedSection(ulong Client, long Start, long End, long ContentEnd, int FirstEvent, int EventEnd);

/// <summary>
/// Where a section may stop: the struct [<paramref name="Clock"/>, <paramref name="End"/>) needs
/// <paramref name="DependsOnClient"/>'s clock <paramref name="DependsOnClock"/>, or (clock <see cref="Skipped"/>)
/// the range is absent from the update.
/// </summary>
internal readonly record struct ScanEvent(long Clock, long End, ulong DependsOnClient, long DependsOnClock)
{
    public const long Skipped = -1;

    public bool IsSkip => DependsOnClock == Skipped;
}
