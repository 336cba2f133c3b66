using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

public sealed partial class YDoc
{
    /// <summary>
    /// Applies a Yjs v1 update in one remote transaction. Updates may arrive in any order and more than once:
    /// structs whose dependencies are missing, and deletions of structs not yet known, are kept as pending
    /// (see <see cref="HasPending"/>) and integrated when the missing updates arrive.
    /// </summary>
    /// <param name="update">The update bytes. They are decoded and checked completely before anything changes.</param>
    /// <param name="origin">Passed to observers and the <see cref="UpdateV1"/> event. Default null.</param>
    /// <exception cref="YjsFormatException">The bytes are malformed; the document is unchanged.</exception>
    public void ApplyUpdate(ReadOnlySpan<byte> update, object? origin = null)
    {
        var decoded = UpdateDecoder.Decode(update);
        var transaction = Begin(origin, local: false, out var initial);
        try
        {
            transaction.Local = false;
            UpdateIntegrator.Apply(transaction, decoded);
        }
        finally
        {
            End(initial);
        }
    }

    /// <summary>
    /// Encodes the document (or the part a replica lacks) as a Yjs v1 update, byte-identical to yjs
    /// <c>encodeStateAsUpdate</c>: the structs missing from <paramref name="targetStateVector"/>, the whole
    /// delete set, and any pending structs and deletions.
    /// </summary>
    /// <param name="targetStateVector">The other replica's encoded state vector; empty (the default) means everything.</param>
    /// <exception cref="YjsFormatException">The state vector is malformed.</exception>
    public byte[] EncodeStateAsUpdate(ReadOnlySpan<byte> targetStateVector = default)
    {
        var target = UpdateEncoder.DecodeStateVector(targetStateVector);
        byte[] update;
        using (var writer = new ByteWriter(4096))
        {
            UpdateEncoder.WriteClientsStructs(writer, Store, target);
            DeleteSet.FromStore(Store).Write(writer);
            update = writer.ToArray();
        }

        if (Store.PendingDeleteSet is null && Store.Pending is null)
        {
            return update;
        }

        var parts = new List<DecodedUpdate> { UpdateDecoder.Decode(update) };
        if (Store.PendingDeleteSet is { } pendingDs)
        {
            parts.Add(UpdateDecoder.Decode(pendingDs));
        }

        if (Store.Pending is { } pending)
        {
            parts.Add(UpdateDecoder.Decode(YUpdate.Diff(pending.Update, target)));
        }

        return YUpdate.Merge(parts);
    }

    /// <summary>The document's state vector (client → next expected clock), encoded as yjs does.</summary>
    public byte[] EncodeStateVector() => UpdateEncoder.EncodeStateVector(Store.GetStateVector());

    /// <summary>The document's state vector: client → next expected clock.</summary>
    public IReadOnlyDictionary<ulong, long> GetStateVector() => Store.GetStateVector();

    /// <summary>The document's delete set as (client, clock, length) ranges, clients descending, ranges ascending.</summary>
    public IReadOnlyList<(ulong Client, long Clock, long Length)> GetDeleteSet()
    {
        var ds = DeleteSet.FromStore(Store);
        var result = new List<(ulong, long, long)>();
        var clients = new List<(ulong Client, List<DeleteRange> Ranges)>();
        foreach (var (client, ranges) in ds.Clients)
        {
            clients.Add((client, ranges));
        }

        clients.Sort(static (a, b) => b.Client.CompareTo(a.Client));
        foreach (var (client, ranges) in clients)
        {
            foreach (var range in ranges)
            {
                result.Add((client, range.Clock, range.Length));
            }
        }

        return result;
    }
}
