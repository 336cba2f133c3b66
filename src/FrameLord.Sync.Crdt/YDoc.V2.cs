using FrameLord.Sync.Crdt.Updates;
using FrameLord.Sync.Crdt.Updates.V2;

namespace FrameLord.Sync.Crdt;

public sealed partial class YDoc
{
    /// <summary>
    /// Applies a Yjs V2 update (yjs <c>applyUpdateV2</c>), like <see cref="ApplyUpdate"/>: decoded and checked
    /// completely first, kept pending where dependencies are missing. The document keeps no trace of the format:
    /// its <see cref="UpdateV1"/> events and encodings stay V1 unless asked for V2.
    /// </summary>
    /// <exception cref="YjsFormatException">The bytes are malformed; the document is unchanged.</exception>
    public void ApplyUpdateV2(ReadOnlySpan<byte> update, object? origin = null)
    {
        ApplyUpdate(YUpdate.ConvertUpdateFormatV2ToV1(update), origin);
    }

    /// <summary>
    /// The document (or the part a replica lacks) as a V2 update, byte-identical to yjs
    /// <c>encodeStateAsUpdateV2</c>: the same structs and deletions as <see cref="EncodeStateAsUpdate"/>, V2-encoded.
    /// </summary>
    /// <param name="targetStateVector">The other replica's encoded state vector; empty (the default) means everything.</param>
    /// <exception cref="YjsFormatException">The state vector is malformed.</exception>
    public byte[] EncodeStateAsUpdateV2(ReadOnlySpan<byte> targetStateVector = default)
    {
        if (Store.Pending is null && Store.PendingDeleteSet is null)
        {
            return UpdateWriterV2.WriteDocument(Store, UpdateEncoder.DecodeStateVector(targetStateVector));
        }

        // With pending structs yjs merges updates, which decodes every struct: its V2 bytes are then exactly the
        // V2 conversion of the V1 merge.
        return YUpdate.ConvertUpdateFormatV1ToV2(EncodeStateAsUpdate(targetStateVector));
    }
}
