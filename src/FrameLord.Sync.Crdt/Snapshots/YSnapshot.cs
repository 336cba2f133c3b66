using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Updates;
using FrameLord.Sync.Crdt.Updates.V2;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// The state of a document at one moment (yjs <c>Snapshot</c>): its state vector and delete set. A document
/// that keeps deleted content (<see cref="YDoc.Gc"/> false) can be rebuilt as it was at any of its snapshots
/// with <see cref="CreateDoc"/>. Bytes are those of yjs <c>encodeSnapshot</c> / <c>encodeSnapshotV2</c>.
/// </summary>
public sealed class YSnapshot : IEquatable<YSnapshot>
{
    private YSnapshot(DeleteSet deleteSet, Dictionary<ulong, long> stateVector)
    {
        DeleteSet = deleteSet;
        StateVectorInternal = stateVector;
    }

    internal DeleteSet DeleteSet { get; }

    /// <summary>In the order yjs keeps it (the store's client order, or the decoded order); it decides struct order in <see cref="CreateDoc"/>.</summary>
    internal Dictionary<ulong, long> StateVectorInternal { get; }

    /// <summary>Client → next clock at the snapshot.</summary>
    public IReadOnlyDictionary<ulong, long> StateVector => StateVectorInternal;

    /// <summary>The snapshot of an empty document (yjs <c>emptySnapshot</c>).</summary>
    public static YSnapshot Empty => new(new DeleteSet(), []);

    /// <summary>The document's current snapshot (yjs <c>snapshot(doc)</c>).</summary>
    public static YSnapshot Of(YDoc doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return new YSnapshot(DeleteSet.FromStore(doc.Store), doc.Store.GetStateVector());
    }

    /// <summary>yjs <c>encodeSnapshot</c>: the V1 delete set, then the state vector (clients descending).</summary>
    public byte[] Encode()
    {
        using var writer = new ByteWriter(64);
        DeleteSet.Write(writer);
        UpdateEncoder.WriteStateVector(writer, StateVectorInternal);
        return writer.ToArray();
    }

    /// <summary>yjs <c>encodeSnapshotV2</c>: the V2 delete set, then the state vector.</summary>
    public byte[] EncodeV2()
    {
        using var writer = new ByteWriter(64);
        DeleteSetV2.Write(writer, DeleteSet);
        UpdateEncoder.WriteStateVector(writer, StateVectorInternal);
        return writer.ToArray();
    }

    /// <summary>yjs <c>decodeSnapshot</c>.</summary>
    /// <exception cref="YjsFormatException">The bytes are malformed.</exception>
    public static YSnapshot Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        var ds = DeleteSet.Read(ref reader);
        return new YSnapshot(ds, ReadStateVector(ref reader));
    }

    /// <summary>yjs <c>decodeSnapshotV2</c>.</summary>
    /// <exception cref="YjsFormatException">The bytes are malformed.</exception>
    public static YSnapshot DecodeV2(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        var ds = DeleteSetV2.Read(ref reader);
        return new YSnapshot(ds, ReadStateVector(ref reader));
    }

    private static Dictionary<ulong, long> ReadStateVector(ref ByteReader reader)
    {
        var count = reader.ReadLength();
        var sv = new Dictionary<ulong, long>(Math.Min(count, reader.Remaining / 2));
        for (var i = 0; i < count; i++)
        {
            var client = (ulong)reader.ReadVarUint();
            sv[client] = reader.ReadVarUint();
        }

        return sv;
    }

    /// <summary>
    /// The document as it was at <paramref name="snapshot"/> (yjs <c>createDocFromSnapshot</c>): the structs of
    /// <paramref name="origin"/> up to the snapshot's state vector, with the snapshot's deletions, applied to
    /// <paramref name="into"/> (a new document by default) with origin <c>"snapshot"</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="origin"/> collects garbage (deleted content is gone), or lacks content the snapshot has.
    /// </exception>
    public static YDoc CreateDoc(YDoc origin, YSnapshot snapshot, YDoc? into = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (origin.Gc)
        {
            throw new InvalidOperationException("Garbage collection must be disabled in the origin document.");
        }

        byte[] update;
        using (var writer = new ByteWriter(1024))
        {
            origin.Transact(transaction =>
            {
                var store = origin.Store;
                var sections = 0;
                foreach (var (_, clock) in snapshot.StateVectorInternal)
                {
                    sections += clock > 0 ? 1 : 0;
                }

                writer.WriteVarUint((ulong)sections);
                foreach (var (client, clock) in snapshot.StateVectorInternal)
                {
                    if (clock == 0)
                    {
                        continue;
                    }

                    // Split at the snapshot's clock so the last struct written ends exactly there.
                    if (clock < store.GetState(client))
                    {
                        store.GetItemCleanStart(transaction, client, clock);
                    }

                    if (!store.Clients.TryGetValue(client, out var structs) || structs.State < clock)
                    {
                        throw new InvalidOperationException($"The origin document lacks content of client {client} the snapshot has.");
                    }

                    var last = structs.FindIndex(clock - 1);
                    writer.WriteVarUint((ulong)(last + 1));
                    writer.WriteVarUint(client);
                    writer.WriteVarUint(0UL);
                    for (var i = 0; i <= last; i++)
                    {
                        UpdateEncoder.WriteStruct(writer, structs[i], 0);
                    }
                }

                snapshot.DeleteSet.Write(writer);
            });
            update = writer.ToArray();
        }

        var doc = into ?? new YDoc();
        doc.ApplyUpdate(update, "snapshot");
        return doc;
    }

    /// <summary>Same state vector and the same delete ranges (yjs <c>equalSnapshots</c>).</summary>
    public bool Equals(YSnapshot? other)
    {
        if (other is null)
        {
            return false;
        }

        if (StateVectorInternal.Count != other.StateVectorInternal.Count || DeleteSet.ClientCount != other.DeleteSet.ClientCount)
        {
            return false;
        }

        foreach (var (client, clock) in StateVectorInternal)
        {
            if (!other.StateVectorInternal.TryGetValue(client, out var otherClock) || otherClock != clock)
            {
                return false;
            }
        }

        foreach (var (client, ranges) in DeleteSet.Clients)
        {
            if (!other.DeleteSet.TryGetRanges(client, out var otherRanges) || otherRanges.Count != ranges.Count)
            {
                return false;
            }

            for (var i = 0; i < ranges.Count; i++)
            {
                if (ranges[i] != otherRanges[i])
                {
                    return false;
                }
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as YSnapshot);

    public override int GetHashCode() => StateVectorInternal.Count;
}
