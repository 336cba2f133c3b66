using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// An update as the integrability check needs it, kept small whatever its size: per client section its
/// clock range, and only the points where integrating it might stop: a struct that names another
/// client's content (its origin, right origin or parent), and a skipped range. A struct's references
/// to its own client always point before it, so a run of such structs integrates as one range.
/// </summary>
/// <remarks>
/// Held as parallel arrays, not a list of records and maps keyed by client: a million-section update is a
/// handful of arrays of primitives, and each event's section is looked up once, when the scan ends
/// (<see cref="ClientIndex"/>), so the check itself never hashes a client. The arrays are rented
/// (<see cref="PooledArrays"/>), may be longer than the counts, and go back to the pool on
/// <see cref="Dispose"/>.
/// </remarks>
internal sealed class ScannedUpdate : IDisposable
{
    private ScannedUpdate(in Sink sink, DeleteSet deleteSet)
    {
        SectionCount = sink.SectionCount;
        Clients = sink.Clients;
        Starts = sink.Starts;
        ContentEnds = sink.ContentEnds;
        EventEnds = sink.EventEnds;
        EventCount = sink.EventCount;
        EventClocks = sink.EventClocks;
        EventStructEnds = sink.EventStructEnds;
        EventClients = sink.EventClients;
        EventDependsOn = sink.EventDependsOn;
        DeleteSet = deleteSet;
        _seenClients = sink.SeenClients;
        _seenSections = sink.SeenSections;
        _index = new ClientIndex(sink.SeenCount, sink.SeenClients, sink.SeenSections);
        EventSections = PooledArrays.Rent<int>(EventCount);
        for (var e = 0; e < EventCount; e++)
        {
            EventSections[e] = EventDependsOn[e] == Skipped ? -1 : _index.SectionOf(EventClients[e]);
        }
    }

    private readonly ClientIndex _index;
    private readonly ulong[] _seenClients;
    private readonly int[] _seenSections;

    /// <summary>How many sections hold a struct (a section with none is left out).</summary>
    public int SectionCount { get; }

    /// <summary>Per section: its client.</summary>
    public ulong[] Clients { get; }

    /// <summary>Per section: the clock of its first struct.</summary>
    public long[] Starts { get; }

    /// <summary>Per section: the end clock of its last struct that is not a skip (-1: none).</summary>
    public long[] ContentEnds { get; }

    /// <summary>Per section: the end of its events; they start where the previous section's end.</summary>
    public int[] EventEnds { get; }

    /// <summary>How many events (see <see cref="EventClocks"/>) all sections have, in clock order, the sections' in turn.</summary>
    public int EventCount { get; }

    /// <summary>
    /// Per event: the struct [clock, <see cref="EventStructEnds"/>) needs <see cref="EventClients"/>' clock
    /// <see cref="EventDependsOn"/>, or (that clock <see cref="Skipped"/>) the range is absent from the update.
    /// </summary>
    public long[] EventClocks { get; }

    public long[] EventStructEnds { get; }

    public ulong[] EventClients { get; }

    public long[] EventDependsOn { get; }

    /// <summary>Per event: the section of <see cref="EventClients"/> (-1: none with structs, or a skipped range).</summary>
    public int[] EventSections { get; }

    public DeleteSet DeleteSet { get; }

    /// <summary>The clock <see cref="EventDependsOn"/> holds for a skipped range.</summary>
    public const long Skipped = -1;

    public int FirstEvent(int section) => section == 0 ? 0 : EventEnds[section - 1];

    /// <summary>The section of <paramref name="client"/>: -1 when it has none or one without structs.</summary>
    public int SectionOf(ulong client) => _index.SectionOf(client);

    public static ScannedUpdate Scan(ReadOnlySpan<byte> update, CancellationToken cancellationToken)
    {
        var sink = default(Sink);
        try
        {
            var deleteSet = UpdateScanner.Scan(update, ref sink, cancellationToken);
            sink.Close();
            return new ScannedUpdate(sink, deleteSet);
        }
        catch
        {
            sink.Return();
            throw;
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        PooledArrays.Return(Clients);
        PooledArrays.Return(Starts);
        PooledArrays.Return(ContentEnds);
        PooledArrays.Return(EventEnds);
        PooledArrays.Return(EventClocks);
        PooledArrays.Return(EventStructEnds);
        PooledArrays.Return(EventClients);
        PooledArrays.Return(EventDependsOn);
        PooledArrays.Return(EventSections);
        PooledArrays.Return(_seenClients);
        PooledArrays.Return(_seenSections);
    }

    /// <summary>True when every struct (skips aside) lies within <paramref name="stateVector"/>.</summary>
    public bool StructsCovered(IReadOnlyDictionary<ulong, long> stateVector)
    {
        for (var s = 0; s < SectionCount; s++)
        {
            if (ContentEnds[s] > stateVector.GetValueOrDefault(Clients[s]))
            {
                return false;
            }
        }

        return true;
    }

    private struct Sink : UpdateScanner.IScanSink
    {
        private bool _open;
        private ulong _client;
        private long _start;
        private long _end;
        private long _contentEnd;

        public int SectionCount;
        public ulong[] Clients;
        public long[] Starts;
        public long[] ContentEnds;
        public int[] EventEnds;

        public int EventCount;
        public long[] EventClocks;
        public long[] EventStructEnds;
        public ulong[] EventClients;
        public long[] EventDependsOn;

        /// <summary>Every section's client in the update's order, structs or none.</summary>
        public int SeenCount;
        public ulong[] SeenClients;
        public int[] SeenSections;

        public readonly bool RefusesRepeatedClients => true;

        /// <summary>Sizes the arrays once (a million-section update would otherwise grow them twenty times).</summary>
        public void Begin(int sections)
        {
            sections = Math.Min(sections, 1 << 20);
            Clients = PooledArrays.Rent<ulong>(sections);
            Starts = PooledArrays.Rent<long>(sections);
            ContentEnds = PooledArrays.Rent<long>(sections);
            EventEnds = PooledArrays.Rent<int>(sections);
            SeenClients = PooledArrays.Rent<ulong>(sections);
            SeenSections = PooledArrays.Rent<int>(sections);

            // As many again: a section of other clients' dependents has at least one.
            EventClocks = PooledArrays.Rent<long>(sections);
            EventStructEnds = PooledArrays.Rent<long>(sections);
            EventClients = PooledArrays.Rent<ulong>(sections);
            EventDependsOn = PooledArrays.Rent<long>(sections);
        }

        /// <summary>Gives the arrays back when the scan fails.</summary>
        public readonly void Return()
        {
            PooledArrays.Return(Clients);
            PooledArrays.Return(Starts);
            PooledArrays.Return(ContentEnds);
            PooledArrays.Return(EventEnds);
            PooledArrays.Return(SeenClients);
            PooledArrays.Return(SeenSections);
            PooledArrays.Return(EventClocks);
            PooledArrays.Return(EventStructEnds);
            PooledArrays.Return(EventClients);
            PooledArrays.Return(EventDependsOn);
        }

        public void Section(ulong client, long clock)
        {
            Close();
            PooledArrays.Grow(ref SeenClients, SeenCount);
            PooledArrays.Grow(ref SeenSections, SeenCount);
            SeenClients[SeenCount] = client;
            SeenSections[SeenCount++] = -1;
            _client = client;
            _start = _end = clock;
            _contentEnd = -1;
            _open = true;
        }

        public void Struct(in ScannedStruct scanned, in StructDependencies needs)
        {
            var client = scanned.Client;
            var end = scanned.EndClock;
            if (scanned.Kind == ScannedKind.Skip)
            {
                AddEvent(scanned.Clock, end, 0, Skipped);
            }
            else
            {
                _contentEnd = end;
                if (needs.OriginClock >= 0 && needs.OriginClient != client)
                {
                    AddEvent(scanned.Clock, end, needs.OriginClient, needs.OriginClock);
                }

                if (needs.RightOriginClock >= 0 && needs.RightOriginClient != client)
                {
                    AddEvent(scanned.Clock, end, needs.RightOriginClient, needs.RightOriginClock);
                }

                if (needs.ParentClock >= 0 && needs.ParentClient != client)
                {
                    AddEvent(scanned.Clock, end, needs.ParentClient, needs.ParentClock);
                }
            }

            _end = end;
        }

        /// <summary>Ends the open section; one with no struct is left out.</summary>
        public void Close()
        {
            if (_open && _end > _start)
            {
                PooledArrays.Grow(ref Clients, SectionCount);
                PooledArrays.Grow(ref Starts, SectionCount);
                PooledArrays.Grow(ref ContentEnds, SectionCount);
                PooledArrays.Grow(ref EventEnds, SectionCount);
                SeenSections[SeenCount - 1] = SectionCount;
                Clients[SectionCount] = _client;
                Starts[SectionCount] = _start;
                ContentEnds[SectionCount] = _contentEnd;
                EventEnds[SectionCount++] = EventCount;
            }

            _open = false;
        }

        private void AddEvent(long clock, long end, ulong client, long dependsOn)
        {
            PooledArrays.Grow(ref EventClocks, EventCount);
            PooledArrays.Grow(ref EventStructEnds, EventCount);
            PooledArrays.Grow(ref EventClients, EventCount);
            PooledArrays.Grow(ref EventDependsOn, EventCount);
            EventClocks[EventCount] = clock;
            EventStructEnds[EventCount] = end;
            EventClients[EventCount] = client;
            EventDependsOn[EventCount++] = dependsOn;
        }
    }
}
