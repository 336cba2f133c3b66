namespace FrameLord.Sync.TestKit;

/// <summary>
/// Hand-encoded V1 updates of shapes a hostile client can send, each valid (it integrates into an empty
/// document, or into the document <see cref="Base"/> builds) and grown to about a given size in bytes.
/// The encoder is written out here, independent of the library under test, and depends on nothing but
/// the base class library so the CRDT tests can compile it in too.
/// </summary>
public static class HostileUpdates
{
    private const ulong DeleteSetClient = 7;

    /// <summary>Every shape, by name.</summary>
    public static IReadOnlyList<string> Shapes { get; } =
        ["chain", "reverse-chain", "many-clients", "deep-nesting", "many-deletes", "tiny-structs", "far-origins", "delete-set"];

    /// <summary>The update of <paramref name="shape"/> at about <paramref name="bytes"/> bytes.</summary>
    public static byte[] Create(string shape, int bytes) => shape switch
    {
        "chain" => Chain(bytes),
        "reverse-chain" => ReverseChain(bytes),
        "many-clients" => ManyClients(bytes),
        "deep-nesting" => DeepNesting(bytes),
        "many-deletes" => ManyDeletes(bytes),
        "tiny-structs" => TinyStructs(bytes),
        "far-origins" => FarOrigins(bytes),
        "delete-set" => DeleteSetOnly(bytes),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown shape."),
    };

    /// <summary>
    /// What the document must hold before <paramref name="shape"/>'s update (null: nothing). Only the
    /// delete-set shape needs one: the structs its ranges delete.
    /// </summary>
    public static byte[]? Base(string shape, int bytes)
    {
        if (shape != "delete-set")
        {
            return null;
        }

        // One struct of 2 characters per range the delete set will hold.
        var w = new Writer(bytes + 64);
        w.Uint(1).Uint(1).Uint(DeleteSetClient).Uint(0);
        RootString(w, new string('a', 2 * (bytes / 5)));
        return w.Uint(0).ToArray();
    }

    /// <summary>
    /// One single-character item per client section, each inserted after the item of the section that
    /// follows it; the last section's item is the root's first. Section k can only be applied after
    /// sections k+1 to the end: one pass over the sections in order applies one of them.
    /// </summary>
    public static byte[] Chain(int bytes)
    {
        var count = Math.Max(2, bytes / 12);
        var w = new Writer(bytes + 64);
        w.Uint((ulong)count);
        for (var k = 0; k < count; k++)
        {
            var client = (ulong)(1_000 + k);
            w.Uint(1).Uint(client).Uint(0);
            if (k == count - 1)
            {
                RootString(w, "a");
            }
            else
            {
                w.Byte(0x84).Uint(client + 1).Uint(0).String("a");
            }
        }

        return w.Uint(0).ToArray();
    }

    /// <summary>As <see cref="Chain"/>, but each section's item follows the previous section's (highest client last).</summary>
    public static byte[] ReverseChain(int bytes)
    {
        var count = Math.Max(2, bytes / 12);
        var w = new Writer(bytes + 64);
        w.Uint((ulong)count);
        for (var k = 0; k < count; k++)
        {
            var client = (ulong)(1_000 + k);
            w.Uint(1).Uint(client).Uint(0);
            if (k == 0)
            {
                RootString(w, "a");
            }
            else
            {
                w.Byte(0x84).Uint(client - 1).Uint(0).String("a");
            }
        }

        return w.Uint(0).ToArray();
    }

    /// <summary>Independent clients, each inserting one character at the start of the root text, lowest client first.</summary>
    public static byte[] ManyClients(int bytes)
    {
        var count = Math.Max(1, bytes / 11);
        var w = new Writer(bytes + 64);
        w.Uint((ulong)count);
        for (var k = 0; k < count; k++)
        {
            w.Uint(1).Uint((ulong)(1_000 + k)).Uint(0);
            RootString(w, "a");
        }

        return w.Uint(0).ToArray();
    }

    /// <summary>One client: a map in a map in a map..., each new map under key "k" of the one before it.</summary>
    public static byte[] DeepNesting(int bytes)
    {
        const ulong client = 7;
        var count = Math.Max(2, bytes / 9);
        var w = new Writer(bytes + 64);
        w.Uint(1).Uint((ulong)count).Uint(client).Uint(0);

        // info 0x27: no origins, a parentSub, ContentType; typeRef 1 is a Y.Map.
        w.Byte(0x27).Uint(1).String("t").String("k").Uint(1);
        for (var i = 1; i < count; i++)
        {
            w.Byte(0x27).Uint(0).Uint(client).Uint((ulong)(i - 1)).String("k").Uint(1);
        }

        return w.Uint(0).ToArray();
    }

    /// <summary>One client typing unmerged single characters, every other one deleted in the same update.</summary>
    public static byte[] ManyDeletes(int bytes)
    {
        const ulong client = 7;
        var count = Math.Max(2, bytes / 9);
        var w = new Writer(bytes + 64);
        Typing(w, client, count);
        w.Uint(1).Uint(client).Uint((ulong)((count + 1) / 2));
        for (var clock = 0; clock < count; clock += 2)
        {
            w.Uint((ulong)clock).Uint(1);
        }

        return w.ToArray();
    }

    /// <summary>One client typing single characters, each its own struct (a run yjs would have merged).</summary>
    public static byte[] TinyStructs(int bytes)
    {
        const ulong client = 7;
        var count = Math.Max(2, bytes / 7);
        var w = new Writer(bytes + 64);
        Typing(w, client, count);
        return w.Uint(0).ToArray();
    }

    /// <summary>One client; each item is inserted right after an earlier item chosen at random (seeded), mostly far back.</summary>
    public static byte[] FarOrigins(int bytes)
    {
        const ulong client = 7;
        var count = Math.Max(2, bytes / 7);
        var random = new Random(20261203);
        var w = new Writer(bytes + 64);
        w.Uint(1).Uint((ulong)count).Uint(client).Uint(0);
        RootString(w, "a");
        for (var i = 1; i < count; i++)
        {
            w.Byte(0x84).Uint(client).Uint((ulong)random.Next(i)).String("a");
        }

        return w.Uint(0).ToArray();
    }

    /// <summary>
    /// A delete-only update removing every other character of <see cref="Base"/>'s one long item (so
    /// applying it splits that item into one struct per character), its ranges in ascending clock order
    /// as yjs writes them (each cut leaves the longest possible rest of the item).
    /// </summary>
    public static byte[] DeleteSetOnly(int bytes)
    {
        var ranges = Math.Max(1, bytes / 5);
        var w = new Writer(bytes + 64);
        w.Uint(0).Uint(1).Uint(DeleteSetClient).Uint((ulong)ranges);
        for (var r = 0; r < ranges; r++)
        {
            w.Uint((ulong)(2 * r)).Uint(1);
        }

        return w.ToArray();
    }

    private static void Typing(Writer w, ulong client, int count)
    {
        w.Uint(1).Uint((ulong)count).Uint(client).Uint(0);
        RootString(w, "a");
        for (var i = 1; i < count; i++)
        {
            // info 0x84: an origin (the previous character), string content.
            w.Byte(0x84).Uint(client).Uint((ulong)(i - 1)).String("a");
        }
    }

    /// <summary>A string item with no origins in the root type "t" (info 0x04, parent given by name).</summary>
    private static void RootString(Writer w, string text) => w.Byte(0x04).Uint(1).String("t").String(text);

    private sealed class Writer(int capacity)
    {
        private readonly MemoryStream _stream = new(capacity);

        public Writer Byte(byte value)
        {
            _stream.WriteByte(value);
            return this;
        }

        public Writer Uint(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _stream.WriteByte((byte)value);
            return this;
        }

        public Writer String(string value)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
            Uint((ulong)utf8.Length);
            _stream.Write(utf8);
            return this;
        }

        public byte[] ToArray() => _stream.ToArray();
    }
}
