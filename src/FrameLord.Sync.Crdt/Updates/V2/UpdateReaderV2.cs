using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Updates.V2;

/// <summary>
/// Decodes a Yjs V2 update (yjs <c>UpdateDecoderV2</c>) completely into the same checked form as a V1 update
/// before anything uses it. Throws <see cref="YjsFormatException"/> for malformed input.
/// </summary>
/// <remarks>
/// Run-length columns let a few bytes stand for any number of structs, so the struct count is not bounded by
/// the input as in V1: an update may hold at most <see cref="MaxStructsPerByte"/> structs per input byte
/// (real updates hold well under one), so a hostile update cannot make the decoder loop or allocate without end.
/// </remarks>
internal ref struct UpdateReaderV2
{
    /// <summary>The most structs accepted per byte of input: 32.</summary>
    public const int MaxStructsPerByte = 32;

    private IntDiffOptRleReader _keyClock;
    private UintOptRleReader _client;
    private IntDiffOptRleReader _leftClock;
    private IntDiffOptRleReader _rightClock;
    private ByteRleReader _info;
    private StringColumnReader _string;
    private ByteRleReader _parentInfo;
    private UintOptRleReader _typeRef;
    private UintOptRleReader _len;
    private ByteReader _rest;
    private readonly List<string> _keys;
    private long _structBudget;

    private UpdateReaderV2(ReadOnlySpan<byte> update)
    {
        var reader = new ByteReader(update);
        reader.ReadVarUint(); // feature flag, unused (as in yjs)
        _keyClock = new IntDiffOptRleReader(reader.ReadVarBytes());
        _client = new UintOptRleReader(reader.ReadVarBytes());
        _leftClock = new IntDiffOptRleReader(reader.ReadVarBytes());
        _rightClock = new IntDiffOptRleReader(reader.ReadVarBytes());
        _info = new ByteRleReader(reader.ReadVarBytes());
        _string = new StringColumnReader(reader.ReadVarBytes());
        _parentInfo = new ByteRleReader(reader.ReadVarBytes());
        _typeRef = new UintOptRleReader(reader.ReadVarBytes());
        _len = new UintOptRleReader(reader.ReadVarBytes());
        _rest = new ByteReader(update[reader.Position..]);
        _keys = [];
        _structBudget = (long)update.Length * MaxStructsPerByte;
    }

    public static DecodedUpdate Decode(ReadOnlySpan<byte> update)
    {
        if (update.IsEmpty)
        {
            throw new YjsFormatException("Empty input is not an update.");
        }

        try
        {
            var reader = new UpdateReaderV2(update);
            var sections = reader.ReadSections();
            var ds = reader.ReadDeleteSet();
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

    private List<ClientStructs> ReadSections()
    {
        var count = _rest.ReadLength();
        var sections = new List<ClientStructs>(Math.Min(count, _rest.Remaining));
        var seen = new HashSet<ulong>();
        for (var s = 0; s < count; s++)
        {
            var structs = _rest.ReadVarUint();
            var client = ReadClient();
            var clock = _rest.ReadVarUint();
            if (!seen.Add(client))
            {
                throw new YjsFormatException($"Client {client} appears in two sections.");
            }

            _structBudget -= structs;
            if (_structBudget < 0)
            {
                throw new YjsFormatException("More structs than a V2 update of this size may hold.");
            }

            var section = new ClientStructs(client, (int)Math.Min(structs, 1024));
            for (long i = 0; i < structs; i++)
            {
                var st = ReadStruct(client, clock);
                UpdateDecoder.CheckClockRange(st.Length, clock);
                clock += st.Length;
                section.Refs.Add(st);
            }

            sections.Add(section);
        }

        return sections;
    }

    private ulong ReadClient()
    {
        var client = _client.Read();
        if (client > ByteReader.MaxSafeInteger)
        {
            throw new YjsFormatException("Client id above 2^53-1.");
        }

        return (ulong)client;
    }

    private DeleteSet ReadDeleteSet() => DeleteSetV2.Read(ref _rest);

    private AbstractStruct ReadStruct(ulong client, long clock)
    {
        var info = _info.Read();
        var contentRef = info & 0x1F;
        switch (contentRef)
        {
            case 0:
                return new GcStruct(client, clock, _len.Read());
            case 10:
                return new SkipStruct(client, clock, _rest.ReadVarUint());
        }

        var hasOrigin = (info & 0x80) != 0;
        var hasRightOrigin = (info & 0x40) != 0;
        ulong originClient = 0, rightOriginClient = 0;
        long originClock = 0, rightOriginClock = 0;
        if (hasOrigin)
        {
            originClient = ReadClient();
            originClock = _leftClock.Read();
            CheckBackwards(client, clock, originClient, originClock);
        }

        if (hasRightOrigin)
        {
            rightOriginClient = ReadClient();
            rightOriginClock = _rightClock.Read();
            CheckBackwards(client, clock, rightOriginClient, rightOriginClock);
        }

        object? parent = null;
        string? parentSub = null;
        if (!hasOrigin && !hasRightOrigin)
        {
            if (_parentInfo.Read() == 1)
            {
                parent = _string.Read();
            }
            else
            {
                var parentClient = ReadClient();
                var parentClock = _leftClock.Read();
                CheckBackwards(client, clock, parentClient, parentClock);
                parent = new StructId(parentClient, parentClock);
            }

            if ((info & 0x20) != 0)
            {
                parentSub = _string.Read();
            }
        }

        Content content;
        long length;
        if (contentRef == 1)
        {
            content = ContentDeleted.Instance;
            length = _len.Read();
        }
        else
        {
            content = ReadContent(contentRef);
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

    private Content ReadContent(int contentRef)
    {
        switch (contentRef)
        {
            case 2:
                {
                    var count = ReadCount();
                    var values = new List<object?>((int)Math.Min(count, 1024));
                    for (var i = 0; i < count; i++)
                    {
                        values.Add(JsonText.Parse(_string.Read()));
                    }

                    return new ContentJson(values);
                }

            case 3:
                return new ContentBinary(_rest.ReadVarBytes().ToArray());
            case 4:
                return new ContentString(_string.Read());
            case 5:
                return new ContentEmbed(AnyCodec.Read(ref _rest));
            case 6:
                {
                    var key = ReadKey();
                    return new ContentFormat(key, AnyCodec.Read(ref _rest));
                }

            case 7:
                return new ContentType(CreateType(_typeRef.Read()));
            case 8:
                {
                    var count = ReadCount();
                    var values = new List<object?>((int)Math.Min(count, _rest.Remaining));
                    for (var i = 0; i < count; i++)
                    {
                        values.Add(AnyCodec.Read(ref _rest));
                    }

                    return new ContentAny(values);
                }

            case 9:
                {
                    var guid = _string.Read();
                    return new ContentDoc(guid, AnyCodec.Read(ref _rest));
                }

            default:
                throw new YjsFormatException($"Unknown content ref {contentRef}.");
        }
    }

    /// <summary>A list content's element count, charged to the struct budget (each element costs at most a byte).</summary>
    private long ReadCount()
    {
        var count = _len.Read();
        _structBudget -= count;
        if (count < 0 || _structBudget < 0)
        {
            throw new YjsFormatException("More values than a V2 update of this size may hold.");
        }

        return count;
    }

    private AbstractType CreateType(long typeRef) => typeRef switch
    {
        0 => new YArray(),
        1 => new YMap(),
        2 => new YText(),
        3 => new YXmlElement(ReadKey()),
        4 => new YXmlFragment(),
        5 => new YXmlHook(ReadKey()),
        6 => new YXmlText(),
        _ => throw new YjsFormatException($"Unknown type ref {typeRef}."),
    };

    /// <summary>yjs <c>readKey</c>: a key clock below the keys read so far repeats that key, otherwise a new key follows.</summary>
    private string ReadKey()
    {
        var keyClock = _keyClock.Read();
        if (keyClock < _keys.Count)
        {
            return _keys[(int)keyClock];
        }

        var key = _string.Read();
        _keys.Add(key);
        return key;
    }
}
