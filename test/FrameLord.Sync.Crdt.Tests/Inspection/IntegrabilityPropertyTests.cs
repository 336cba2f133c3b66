using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt.Tests.Inspection;

/// <summary>
/// The linear integrability check answers as the plain fixpoint (sweep every section until nothing
/// advances) and as a real document (no pending structs or deletions) on random subsets of random
/// editing histories, with their client sections in random order.
/// </summary>
public class IntegrabilityPropertyTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40).Select(i => i * 7919)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TryIntegrate_AgreesWithTheFixpointAndWithADocument(int seed)
    {
        var rng = new Random(seed);
        var updates = History(rng);
        for (var trial = 0; trial < 25; trial++)
        {
            var subset = updates.Where(_ => rng.Next(3) != 0).ToList();
            if (subset.Count == 0)
            {
                continue;
            }

            var merged = Shuffled(YUpdate.MergeUpdates(subset), rng);
            var known = new Dictionary<ulong, long>();
            if (rng.Next(2) == 0)
            {
                // A server that already has a random prefix of the history.
                var server = new YDoc(new YDocOptions { ClientId = 1 });
                foreach (var u in updates.Take(rng.Next(updates.Count)))
                {
                    server.ApplyUpdate(u);
                }

                if (server.Store.Pending is not null || server.Store.PendingDeleteSet is not null)
                {
                    continue;
                }

                known = new Dictionary<ulong, long>(server.GetStateVector());
            }

            var actual = YUpdateInspection.TryIntegrate(merged, known, out var after);
            var expected = Fixpoint(UpdateDecoder.Decode(merged), known, out var expectedAfter);
            Assert.True(expected == actual, $"seed {seed}, trial {trial}: fixpoint {expected}, stack {actual}");
            if (actual)
            {
                Assert.Equal(expectedAfter.OrderBy(p => p.Key), after.OrderBy(p => p.Key));
            }

            // The inspection's encoded vector is the map's, byte for byte, and decodes back to it.
            var inspection = YUpdateInspection.Inspect(merged, known, YUpdate.Empty);
            Assert.Equal(actual, inspection.Integrates);
            Assert.Equal(YUpdate.EncodeStateVector(after), inspection.AfterStateVector);
            Assert.Equal(after.OrderBy(p => p.Key), inspection.After.OrderBy(p => p.Key));

            if (known.Count == 0)
            {
                var doc = new YDoc(new YDocOptions { ClientId = 1 });
                doc.ApplyUpdate(merged);
                var complete = doc.Store.Pending is null && doc.Store.PendingDeleteSet is null;
                Assert.True(complete == actual, $"seed {seed}, trial {trial}: document complete {complete}, stack {actual}");
            }
        }
    }

    /// <summary>Three replicas editing text, a map and nested arrays, syncing now and then; every local update.</summary>
    private static List<byte[]> History(Random rng)
    {
        var docs = Enumerable.Range(0, 3).Select(i => new YDoc(new YDocOptions { ClientId = (ulong)(10 + i) })).ToArray();
        var updates = new List<byte[]>();
        foreach (var doc in docs)
        {
            doc.UpdateV1 += (_, e) =>
            {
                if (e.Local)
                {
                    updates.Add(e.Update);
                }
            };
        }

        for (var step = 0; step < 60; step++)
        {
            var doc = docs[rng.Next(docs.Length)];
            var text = doc.GetText("t");
            switch (rng.Next(6))
            {
                case 0 or 1:
                    text.Insert(rng.Next(text.Length + 1), new string((char)('a' + rng.Next(26)), 1 + rng.Next(3)));
                    break;
                case 2 when text.Length > 0:
                    var at = rng.Next(text.Length);
                    text.Delete(at, Math.Min(1 + rng.Next(3), text.Length - at));
                    break;
                case 3:
                    doc.GetMap("m").Set($"k{rng.Next(4)}", rng.Next(100));
                    break;
                case 4:
                    var list = new YArray();
                    doc.GetMap("m").Set($"list{rng.Next(2)}", list);
                    list.Insert(0, [1, 2]);
                    break;
                default:
                    var other = docs[rng.Next(docs.Length)];
                    other.ApplyUpdate(doc.EncodeStateAsUpdate(other.EncodeStateVector()));
                    break;
            }
        }

        return updates;
    }

    /// <summary>The update with its client sections written in random order.</summary>
    private static byte[] Shuffled(byte[] update, Random rng)
    {
        var decoded = UpdateDecoder.Decode(update);
        var sections = decoded.Sections.OrderBy(_ => rng.Next()).ToList();
        using var writer = new ByteWriter(update.Length + 16);
        writer.WriteVarUint((ulong)sections.Count);
        foreach (var section in sections)
        {
            writer.WriteVarUint((ulong)section.Refs.Count);
            writer.WriteVarUint(section.Client);
            writer.WriteVarUint(section.Refs[0].Clock);
            foreach (var s in section.Refs)
            {
                UpdateEncoder.WriteStruct(writer, s, 0);
            }
        }

        decoded.DeleteSet.Write(writer);
        return writer.ToArray();
    }

    /// <summary>The reference: sweep the sections until no struct can be added, then look at what is left.</summary>
    private static bool Fixpoint(DecodedUpdate decoded, IReadOnlyDictionary<ulong, long> known, out Dictionary<ulong, long> after)
    {
        after = new Dictionary<ulong, long>(known);
        var cursors = new int[decoded.Sections.Count];
        bool progress;
        do
        {
            progress = false;
            for (var s = 0; s < decoded.Sections.Count; s++)
            {
                var refs = decoded.Sections[s].Refs;
                while (cursors[s] < refs.Count)
                {
                    var next = refs[cursors[s]];
                    var state = after.GetValueOrDefault(next.Client);
                    if (next is SkipStruct || next.Clock + next.Length <= state)
                    {
                        cursors[s]++;
                        continue;
                    }

                    if (next.Clock > state || !Known(next, after))
                    {
                        break;
                    }

                    after[next.Client] = next.Clock + next.Length;
                    cursors[s]++;
                    progress = true;
                }
            }
        }
        while (progress);

        for (var s = 0; s < decoded.Sections.Count; s++)
        {
            foreach (var r in decoded.Sections[s].Refs.Skip(cursors[s]))
            {
                if (r is not SkipStruct && r.Clock + r.Length > after.GetValueOrDefault(r.Client))
                {
                    return false;
                }
            }
        }

        foreach (var (client, ranges) in decoded.DeleteSet.Clients)
        {
            var state = after.GetValueOrDefault(client);
            if (ranges.Any(r => r.End > state))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Known(AbstractStruct next, Dictionary<ulong, long> known) =>
        next is not Item item
        || ((!item.HasOrigin || item.OriginClock < known.GetValueOrDefault(item.OriginClient))
            && (!item.HasRightOrigin || item.RightOriginClock < known.GetValueOrDefault(item.RightOriginClient))
            && (item.Parent is not StructId parent || parent.Clock < known.GetValueOrDefault(parent.Client)));
}
