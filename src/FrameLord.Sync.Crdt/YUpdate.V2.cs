using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Updates;
using FrameLord.Sync.Crdt.Updates.V2;

namespace FrameLord.Sync.Crdt;

public static partial class YUpdate
{
    /// <summary>The empty V2 update (no structs, no deletions), as yjs writes it.</summary>
    public static ReadOnlySpan<byte> EmptyV2 => [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];

    /// <summary>
    /// Rewrites a V1 update in the V2 format, byte-identical to yjs <c>convertUpdateFormatV1ToV2</c> (structs and
    /// deletions unchanged, only the encoding differs).
    /// </summary>
    /// <exception cref="YjsFormatException">The bytes are not a well-formed V1 update.</exception>
    public static byte[] ConvertUpdateFormatV1ToV2(ReadOnlySpan<byte> update) => UpdateWriterV2.Write(UpdateDecoder.Decode(update));

    /// <summary>Rewrites a V2 update in the V1 format, byte-identical to yjs <c>convertUpdateFormatV2ToV1</c>.</summary>
    /// <exception cref="YjsFormatException">The bytes are not a well-formed V2 update.</exception>
    public static byte[] ConvertUpdateFormatV2ToV1(ReadOnlySpan<byte> update) => WriteV1(UpdateReaderV2.Decode(update));

    /// <summary>Checks a V2 update completely; throws <see cref="YjsFormatException"/> when it is malformed.</summary>
    public static void ValidateV2(ReadOnlySpan<byte> update) => UpdateReaderV2.Decode(update);

    /// <summary>A decoded update written in V1 as it is, one section per client run (yjs <c>LazyStructWriter</c>).</summary>
    private static byte[] WriteV1(DecodedUpdate update)
    {
        using var output = new ByteWriter(1024);
        using (var structs = new LazyStructWriter())
        {
            foreach (var section in update.Sections)
            {
                foreach (var s in section.Refs)
                {
                    structs.Write(s, 0);
                }
            }

            structs.Finish(output);
        }

        update.DeleteSet.Write(output);
        return output.ToArray();
    }
}
