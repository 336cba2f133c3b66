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
    public static (List<ScannedStruct> Structs, DeleteSet DeleteSet) Scan(ReadOnlySpan<byte> update)
    {
        if (update.IsEmpty)
        {
            throw new YjsFormatException("Empty input is not an update (the empty update is 00 00).");
        }

        try
        {
            var reader = new ByteReader(update);
            var structs = ScanStructs(ref reader);
            return (structs, DeleteSet.Read(ref reader));
        }
        catch (ArgumentException e)
        {
            throw new YjsFormatException("Malformed update.", e);
        }
    }

    private static List<ScannedStruct> ScanStructs(ref ByteReader reader)
    {
        var numSections = reader.ReadLength();
        var structs = new List<ScannedStruct>(Math.Min(reader.Remaining / 2, 1 << 16));
        HashSet<ulong>? seen = numSections > 1 ? [] : null;
        for (var s = 0; s < numSections; s++)
        {
            var (numStructs, client, clock) = UpdateDecoder.ReadSectionHeader(ref reader, seen);

            for (var i = 0; i < numStructs; i++)
            {
                var start = reader.Position;
                var (kind, length) = ScanStruct(ref reader, client, clock);
                UpdateDecoder.CheckClockRange(length, clock);

                structs.Add(new ScannedStruct(kind, client, clock, length, start, reader.Position));
                clock += length;
            }
        }

        return structs;
    }

    private static (ScannedKind Kind, long Length) ScanStruct(ref ByteReader reader, ulong client, long clock)
    {
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
            CheckBackwards(client, clock, (ulong)reader.ReadVarUint(), reader.ReadVarUint());
        }

        if (hasRightOrigin)
        {
            CheckBackwards(client, clock, (ulong)reader.ReadVarUint(), reader.ReadVarUint());
        }

        if (!hasOrigin && !hasRightOrigin)
        {
            if (reader.ReadVarUint() == 1)
            {
                SkipString(ref reader);
            }
            else
            {
                CheckBackwards(client, clock, (ulong)reader.ReadVarUint(), reader.ReadVarUint());
            }

            if ((info & 0x20) != 0)
            {
                SkipString(ref reader);
            }
        }

        return (ScannedKind.Item, ScanContent(ref reader, contentRef));
    }

    private static void CheckBackwards(ulong client, long clock, ulong refClient, long refClock)
    {
        if (refClient == client && refClock >= clock)
        {
            throw new YjsFormatException("A struct refers to a later clock of its own client.");
        }
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
