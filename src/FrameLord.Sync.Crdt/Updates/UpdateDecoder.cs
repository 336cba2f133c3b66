using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// Decodes a V1 update completely and checks it before anything is integrated: every length prefix against
/// the remaining input, clocks within 2^53-1, no empty structs, no client twice, references to the same
/// client only backwards. Throws <see cref="YjsFormatException"/>.
/// </summary>
internal static class UpdateDecoder
{
    public static DecodedUpdate Decode(ReadOnlySpan<byte> update, CancellationToken cancellationToken = default)
    {
        if (update.IsEmpty)
        {
            throw new YjsFormatException("Empty input is not an update (the empty update is 00 00).");
        }

        try
        {
            var reader = new ByteReader(update);
            var sections = ReadStructs(ref reader, cancellationToken);
            var ds = DeleteSet.Read(ref reader);
            return new DecodedUpdate(sections, ds);
        }
        catch (ArgumentException e)
        {
            throw new YjsFormatException("Malformed update.", e);
        }
        catch (InvalidOperationException e)
        {
            throw new YjsFormatException("Malformed update.", e);
        }
    }

    /// <summary>A section's header (struct count, client, first clock); a client in two sections is malformed.</summary>
    internal static (int Count, ulong Client, long Clock) ReadSectionHeader(ref ByteReader reader, HashSet<ulong>? seen)
    {
        var count = reader.ReadLength();
        var client = (ulong)reader.ReadVarUint();
        var clock = reader.ReadVarUint();
        if (seen is not null && !seen.Add(client))
        {
            throw new YjsFormatException($"Client {client} appears in two sections.");
        }

        return (count, client, clock);
    }

    /// <summary>A struct must cover at least one clock and end within 2^53 - 1.</summary>
    internal static void CheckClockRange(long length, long clock)
    {
        if (length <= 0 || length > ByteReader.MaxSafeInteger - clock)
        {
            throw new YjsFormatException("Struct with an empty or impossible clock range.");
        }
    }

    private static List<ClientStructs> ReadStructs(ref ByteReader reader, CancellationToken cancellationToken)
    {
        var read = 0;
        var numSections = reader.ReadLength();
        var sections = new List<ClientStructs>(Math.Min(numSections, reader.Remaining / 3));
        HashSet<ulong>? seen = numSections > 1 ? [] : null;
        for (var s = 0; s < numSections; s++)
        {
            var (numStructs, client, clock) = ReadSectionHeader(ref reader, seen);

            // Every struct takes at least two bytes, so the count bounds nothing we allocate beyond the input.
            var section = new ClientStructs(client, Math.Min(numStructs, reader.Remaining / 2));
            for (var i = 0; i < numStructs; i++)
            {
                if ((++read & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var st = ReadStruct(ref reader, client, clock);
                CheckClockRange(st.Length, clock);

                clock += st.Length;
                section.Refs.Add(st);
            }

            sections.Add(section);
        }

        return sections;
    }

    /// <summary>Decodes one struct from its bytes (found by <see cref="UpdateScanner"/>).</summary>
    public static AbstractStruct DecodeStruct(ReadOnlySpan<byte> bytes, ulong client, long clock)
    {
        var reader = new ByteReader(bytes);
        return ReadStruct(ref reader, client, clock);
    }

    private static AbstractStruct ReadStruct(ref ByteReader reader, ulong client, long clock)
    {
        var info = reader.ReadByte();
        var contentRef = info & 0x1F;
        switch (contentRef)
        {
            case 0:
                return new GcStruct(client, clock, reader.ReadVarUint());
            case 10:
                return new SkipStruct(client, clock, reader.ReadVarUint());
        }

        var hasOrigin = (info & 0x80) != 0;
        var hasRightOrigin = (info & 0x40) != 0;
        ulong originClient = 0, rightOriginClient = 0;
        long originClock = 0, rightOriginClock = 0;
        if (hasOrigin)
        {
            originClient = (ulong)reader.ReadVarUint();
            originClock = reader.ReadVarUint();
            CheckBackwards(client, clock, originClient, originClock);
        }

        if (hasRightOrigin)
        {
            rightOriginClient = (ulong)reader.ReadVarUint();
            rightOriginClock = reader.ReadVarUint();
            CheckBackwards(client, clock, rightOriginClient, rightOriginClock);
        }

        object? parent = null;
        string? parentSub = null;
        if (!hasOrigin && !hasRightOrigin)
        {
            if (reader.ReadVarUint() == 1)
            {
                parent = reader.ReadString();
            }
            else
            {
                var parentClient = (ulong)reader.ReadVarUint();
                var parentClock = reader.ReadVarUint();
                CheckBackwards(client, clock, parentClient, parentClock);
                parent = new StructId(parentClient, parentClock);
            }

            if ((info & 0x20) != 0)
            {
                parentSub = reader.ReadString();
            }
        }

        Content content;
        long length;
        if (contentRef == 1)
        {
            content = ContentDeleted.Instance;
            length = reader.ReadVarUint();
        }
        else
        {
            content = ReadContent(ref reader, contentRef);
            length = content.Length;
        }

        var item = new Item(client, clock, parent, parentSub, content, length);
        if (hasOrigin)
        {
            item.SetOrigin(originClient, originClock);
        }

        if (hasRightOrigin)
        {
            item.SetRightOrigin(rightOriginClient, rightOriginClock);
        }

        return item;
    }

    private static void CheckBackwards(ulong client, long clock, ulong refClient, long refClock)
    {
        if (refClient == client && refClock >= clock)
        {
            throw new YjsFormatException("A struct refers to a later clock of its own client.");
        }
    }

    private static Content ReadContent(ref ByteReader reader, int contentRef)
    {
        switch (contentRef)
        {
            case 2:
                {
                    var count = reader.ReadLength();
                    var values = new List<object?>(Math.Min(count, reader.Remaining));
                    for (var i = 0; i < count; i++)
                    {
                        values.Add(JsonText.Parse(reader.ReadString()));
                    }

                    return new ContentJson(values);
                }

            case 3:
                return new ContentBinary(reader.ReadVarBytes().ToArray());
            case 4:
                return new ContentString(reader.ReadString());
            case 5:
                return new ContentEmbed(JsonText.Parse(reader.ReadString()));
            case 6:
                {
                    var key = reader.ReadString();
                    return new ContentFormat(key, JsonText.Parse(reader.ReadString()));
                }

            case 7:
                return new ContentType(AbstractType.CreateFromRef(ref reader));
            case 8:
                {
                    var count = reader.ReadLength();
                    var values = new List<object?>(Math.Min(count, reader.Remaining));
                    for (var i = 0; i < count; i++)
                    {
                        values.Add(AnyCodec.Read(ref reader));
                    }

                    return new ContentAny(values);
                }

            case 9:
                {
                    var guid = reader.ReadString();
                    return new ContentDoc(guid, AnyCodec.Read(ref reader));
                }

            default:
                throw new YjsFormatException($"Unknown content ref {contentRef}.");
        }
    }
}
