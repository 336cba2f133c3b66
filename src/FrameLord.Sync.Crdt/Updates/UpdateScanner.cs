using System.Text.Unicode;
using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// Walks a V1 update and checks it with the same rules as <see cref="UpdateDecoder"/>, but records only each
/// struct's kind, clocks and byte range instead of building items and contents. Diffing a large snapshot
/// against a state vector then copies most structs verbatim and decodes only the ones it cuts.
/// </summary>
internal static class UpdateScanner
{
    /// <summary>Scans <paramref name="update"/>: every struct's kind, clocks and byte range, and the delete set.</summary>
    public static (List<ScannedStruct> Structs, DeleteSet DeleteSet) Scan(ReadOnlySpan<byte> update)
    {
        var sink = new ListSink(new List<ScannedStruct>(Math.Min(update.Length / 2, 1 << 16)));
        var deleteSet = Scan(update, ref sink, CancellationToken.None);
        return (sink.Structs, deleteSet);
    }

    /// <summary>
    /// Scans <paramref name="update"/>, handing each section and struct to <paramref name="sink"/> (a struct,
    /// so each kind of sink gets its own compiled loop), and returns the delete set.
    /// </summary>
    public static DeleteSet Scan<TSink>(ReadOnlySpan<byte> update, ref TSink sink, CancellationToken cancellationToken)
        where TSink : struct, IScanSink
    {
        if (update.IsEmpty)
        {
            throw new YjsFormatException("Empty input is not an update (the empty update is 00 00).");
        }

        try
        {
            var reader = new ByteReader(update);
            ScanStructs(ref reader, ref sink, cancellationToken);
            return DeleteSet.Read(ref reader);
        }
        catch (ArgumentException e)
        {
            throw new YjsFormatException("Malformed update.", e);
        }
    }

    private static void ScanStructs<TSink>(ref ByteReader reader, ref TSink sink, CancellationToken cancellationToken)
        where TSink : struct, IScanSink
    {
        var numSections = reader.ReadLength();
        // A section takes at least three bytes, so the count bounds nothing beyond the input.
        var sectionBound = Math.Min(numSections, reader.Remaining / 3);
        HashSet<ulong>? seen = numSections > 1 && !sink.RefusesRepeatedClients ? new(sectionBound) : null;
        sink.Begin(sectionBound);
        var scanned = 0;
        for (var s = 0; s < numSections; s++)
        {
            var (numStructs, client, clock) = UpdateDecoder.ReadSectionHeader(ref reader, seen);
            sink.Section(client, clock);

            for (var i = 0; i < numStructs; i++)
            {
                if ((++scanned & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var start = reader.Position;
                var (kind, length) = ScanStruct(ref reader, client, clock, out var needs);
                UpdateDecoder.CheckClockRange(length, clock);

                sink.Struct(new ScannedStruct(kind, client, clock, length, start, reader.Position), needs);
                clock += length;
            }
        }
    }

    /// <summary>Receives what a scan finds, in the update's order.</summary>
    internal interface IScanSink
    {
        /// <summary>True when <see cref="Section"/> itself refuses a client listed twice (the scan then keeps no set of its own).</summary>
        bool RefusesRepeatedClients { get; }

        /// <summary>The scan starts: the update has at most <paramref name="sections"/> sections (a bound the input's size guarantees).</summary>
        void Begin(int sections);

        /// <summary>A client's section starts (its structs follow).</summary>
        void Section(ulong client, long clock);

        void Struct(in ScannedStruct scanned, in StructDependencies needs);
    }

    /// <summary>The delete set of <paramref name="update"/>, its structs checked and passed over (nothing kept of them).</summary>
    public static DeleteSet DeleteSetOf(ReadOnlySpan<byte> update)
    {
        var sink = default(NoSink);
        return Scan(update, ref sink, CancellationToken.None);
    }

    /// <summary>Keeps nothing: for a scan that wants only the delete set.</summary>
    private readonly struct NoSink : IScanSink
    {
        public bool RefusesRepeatedClients => false;

        public void Begin(int sections)
        {
        }

        public void Section(ulong client, long clock)
        {
        }

        public void Struct(in ScannedStruct scanned, in StructDependencies needs)
        {
        }
    }

    /// <summary>Keeps every struct's place (for diffs that copy most structs verbatim).</summary>
    private struct ListSink(List<ScannedStruct> structs) : IScanSink
    {
        public readonly List<ScannedStruct> Structs => structs;

        public readonly bool RefusesRepeatedClients => false;

        public readonly void Begin(int sections)
        {
        }

        public readonly void Section(ulong client, long clock)
        {
        }

        public readonly void Struct(in ScannedStruct scanned, in StructDependencies needs) => structs.Add(scanned);
    }

    private static (ScannedKind Kind, long Length) ScanStruct(ref ByteReader reader, ulong client, long clock, out StructDependencies needs)
    {
        needs = StructDependencies.None;
        var info = reader.ReadByte();
        var contentRef = info & 0x1F;
        switch (contentRef)
        {
            case 0:
                return (ScannedKind.Gc, reader.ReadVarUint());
            case 10:
                return (ScannedKind.Skip, reader.ReadVarUint());
        }

        var hasOrigin = (info & 0x80) != 0;
        var hasRightOrigin = (info & 0x40) != 0;
        if (hasOrigin)
        {
            var (originClient, originClock) = ReadId(ref reader, client, clock);
            needs = needs with { OriginClient = originClient, OriginClock = originClock };
        }

        if (hasRightOrigin)
        {
            var (rightClient, rightClock) = ReadId(ref reader, client, clock);
            needs = needs with { RightOriginClient = rightClient, RightOriginClock = rightClock };
        }

        if (!hasOrigin && !hasRightOrigin)
        {
            if (reader.ReadVarUint() == 1)
            {
                SkipString(ref reader);
            }
            else
            {
                var (parentClient, parentClock) = ReadId(ref reader, client, clock);
                needs = needs with { ParentClient = parentClient, ParentClock = parentClock };
            }

            if ((info & 0x20) != 0)
            {
                SkipString(ref reader);
            }
        }

        return (ScannedKind.Item, ScanContent(ref reader, contentRef));
    }

    /// <summary>Reads an id a struct refers to; one of its own client must lie before it.</summary>
    private static (ulong Client, long Clock) ReadId(ref ByteReader reader, ulong client, long clock)
    {
        var refClient = (ulong)reader.ReadVarUint();
        var refClock = reader.ReadVarUint();
        if (refClient == client && refClock >= clock)
        {
            throw new YjsFormatException("A struct refers to a later clock of its own client.");
        }

        return (refClient, refClock);
    }

    /// <summary>Checks a varString and returns its length in UTF-16 code units.</summary>
    private static int SkipString(ref ByteReader reader)
    {
        var bytes = reader.ReadVarBytes();
        if (!Utf8.IsValid(bytes))
        {
            throw new YjsFormatException("Invalid UTF-8 in a string.");
        }

        return System.Text.Encoding.UTF8.GetCharCount(bytes);
    }

    private static void SkipJson(ref ByteReader reader) => JsonText.Parse(reader.ReadString());

    private static long ScanContent(ref ByteReader reader, int contentRef)
    {
        switch (contentRef)
        {
            case 1:
                return reader.ReadVarUint();
            case 2:
                {
                    var count = reader.ReadLength();
                    for (var i = 0; i < count; i++)
                    {
                        SkipJson(ref reader);
                    }

                    return count;
                }

            case 3:
                reader.ReadVarBytes();
                return 1;
            case 4:
                return SkipString(ref reader);
            case 5:
                SkipJson(ref reader);
                return 1;
            case 6:
                SkipString(ref reader);
                SkipJson(ref reader);
                return 1;
            case 7:
                {
                    var typeRef = reader.ReadVarUint();
                    if (typeRef > 6)
                    {
                        throw new YjsFormatException($"Unknown type ref {typeRef}.");
                    }

                    if (typeRef is 3 or 5)
                    {
                        SkipString(ref reader);
                    }

                    return 1;
                }

            case 8:
                {
                    var count = reader.ReadLength();
                    for (var i = 0; i < count; i++)
                    {
                        SkipAny(ref reader, 0);
                    }

                    return count;
                }

            case 9:
                SkipString(ref reader);
                SkipAny(ref reader, 0);
                return 1;
            default:
                throw new YjsFormatException($"Unknown content ref {contentRef}.");
        }
    }

    /// <summary>Checks one lib0 <c>any</c> value (the same rules as <see cref="AnyCodec.Read"/>) without building it.</summary>
    private static void SkipAny(ref ByteReader reader, int depth)
    {
        if (depth > YjsFormatException.MaxNestingDepth)
        {
            throw new YjsFormatException("Value nested too deeply.");
        }

        var tag = reader.ReadByte();
        switch (tag)
        {
            case 127 or 126 or 121 or 120:
                return;
            case 125:
                reader.ReadVarInt(out _);
                return;
            case 124:
                reader.ReadBytes(4);
                return;
            case 123 or 122:
                reader.ReadBytes(8);
                return;
            case 119:
                SkipString(ref reader);
                return;
            case 118:
                {
                    var count = reader.ReadLength();
                    for (var i = 0; i < count; i++)
                    {
                        SkipString(ref reader);
                        SkipAny(ref reader, depth + 1);
                    }

                    return;
                }

            case 117:
                {
                    var count = reader.ReadLength();
                    for (var i = 0; i < count; i++)
                    {
                        SkipAny(ref reader, depth + 1);
                    }

                    return;
                }

            case 116:
                reader.ReadVarBytes();
                return;
            default:
                throw new YjsFormatException($"Unknown any tag {tag}.");
        }
    }
}
