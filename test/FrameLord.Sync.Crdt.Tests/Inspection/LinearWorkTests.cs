using FrameLord.Sync.Crdt.Updates;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Crdt.Tests.Inspection;

/// <summary>
/// The inspection a server runs on every document sync must cost about linear work in the update for
/// every shape a client can send. The work is counted (struct steps and stack moves), not timed.
/// </summary>
public class LinearWorkTests
{
    private static readonly Dictionary<ulong, long> Empty = [];

    public static TheoryData<string> StructShapes =>
        ["chain", "reverse-chain", "many-clients", "deep-nesting", "many-deletes", "tiny-structs", "far-origins"];

    private static (long Work, int Events, int Sections) Inspect(byte[] update)
    {
        long work = 0;
        var inspection = YUpdateInspection.Inspect(update, Empty, YUpdate.Empty, ref work, CancellationToken.None);
        Assert.True(inspection.Integrates);
        var scanned = ScannedUpdate.Scan(update, CancellationToken.None);
        var structs = UpdateDecoder.Decode(update).Sections.Sum(s => s.Refs.Count);

        // The check walks events (structs naming another client, skipped ranges), not structs: at most three per struct.
        Assert.InRange(scanned.EventCount, 0, 3 * structs);

        // Each deleted range is one more step; they count as events here.
        var deletedRanges = 0;
        foreach (var (_, ranges) in scanned.DeleteSet.Clients)
        {
            deletedRanges += ranges.Count;
        }

        return (work, scanned.EventCount + deletedRanges, scanned.SectionCount);
    }

    [Theory]
    [MemberData(nameof(StructShapes))]
    public void Inspect_WorkIsLinearInTheUpdate(string shape)
    {
        var (small, smallEvents, smallSections) = Inspect(HostileUpdates.Create(shape, 100_000));
        var (large, largeEvents, largeSections) = Inspect(HostileUpdates.Create(shape, 200_000));

        // At least a step per section, at most a few per event and section (an event is passed, blocks once
        // and is resumed; each block is one push and one pop), and doubling the input at most doubles the
        // work: the sweep this replaced took 40,000 passes over a 40,000-section chain.
        Assert.InRange(small, smallSections, (5L * smallEvents) + (4L * smallSections) + 16);
        Assert.InRange(large, largeSections, (5L * largeEvents) + (4L * largeSections) + 16);
        Assert.InRange((double)large / small, 0, 2.2);
    }

    [Fact]
    public void Inspect_ChainInEitherOrder_IntegratesAndEndsEveryClientAtOne()
    {
        foreach (var update in new[] { HostileUpdates.Chain(50_000), HostileUpdates.ReverseChain(50_000) })
        {
            var inspection = YUpdateInspection.Inspect(update, Empty, YUpdate.Empty);
            Assert.True(inspection.Integrates);
            Assert.All(inspection.After.Values, clock => Assert.Equal(1, clock));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Inspect_ChainThatCannotStart_IsRefused_InLinearWork(bool cycle)
    {
        // Every section waits on the next; the last one's item waits on the first section (a cycle) or on
        // a client the update does not carry, so nothing can integrate.
        var chain = HostileUpdates.Chain(100_000);
        var decoded = UpdateDecoder.Decode(chain);
        var patched = LastWaitsOn(chain, cycle ? decoded.Sections[0].Client : 999_999_999UL);

        long work = 0;
        var inspection = YUpdateInspection.Inspect(patched, Empty, YUpdate.Empty, ref work, CancellationToken.None);
        Assert.False(inspection.Integrates);
        Assert.InRange(work, 1, 4L * decoded.Sections.Count + 16);
    }

    /// <summary>The chain with its last section's root item turned into one inserted after <paramref name="client"/>'s first item.</summary>
    private static byte[] LastWaitsOn(byte[] chain, ulong client)
    {
        // Drop the root item (info 0x04, parent by name, "t", "a": 6 bytes) and the empty delete set after it.
        Assert.Equal(0x04, chain[^7]);
        var head = chain.AsSpan(0, chain.Length - 7).ToArray();
        var item = new List<byte> { 0x84 };
        var v = client;
        while (v >= 0x80)
        {
            item.Add((byte)(v | 0x80));
            v >>= 7;
        }

        item.Add((byte)v);
        item.AddRange([0, 1, (byte)'a', 0]);
        return [.. head, .. item];
    }

    [Fact]
    public void Inspect_HugeUnsortedDeleteSet_IsLinear()
    {
        var baseUpdate = HostileUpdates.Base("delete-set", 200_000)!;
        var state = new Dictionary<ulong, long>(YUpdate.DecodeStateVector(YUpdate.EncodeStateVectorFromUpdate(baseUpdate)));
        long small = 0, large = 0;
        Assert.True(YUpdateInspection.Inspect(HostileUpdates.DeleteSetOnly(100_000), state, YUpdate.Empty, ref small, CancellationToken.None).Integrates);
        Assert.True(YUpdateInspection.Inspect(HostileUpdates.DeleteSetOnly(200_000), state, YUpdate.Empty, ref large, CancellationToken.None).Integrates);
        Assert.InRange((double)large / small, 1.5, 2.2);
    }

    [Fact]
    public void Inspect_WithACancelledToken_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => YUpdateInspection.Inspect(HostileUpdates.Chain(100_000), Empty, YUpdate.Empty, cancelled.Token));
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("many-clients")]
    public void MergeUpdates_SectionsInAscendingClientOrder_LoseNothing(string shape)
    {
        // yjs writes sections highest client first and its merge relies on it; these are lowest first.
        var update = HostileUpdates.Create(shape, 5_000);
        var direct = new YDoc(new YDocOptions { ClientId = 1 });
        direct.ApplyUpdate(update);
        var merged = new YDoc(new YDocOptions { ClientId = 1 });
        merged.ApplyUpdate(YUpdate.MergeUpdates([update, YUpdate.Empty.ToArray()]));

        Assert.True(direct.GetText("t").Length > 400);
        Assert.Equal(direct.GetText("t").ToString(), merged.GetText("t").ToString());
    }

    /// <summary>Bytes this thread allocates applying <paramref name="update"/> to a document (GC on, as compaction does) after <paramref name="first"/>.</summary>
    private static long AllocatedApplying(byte[]? first, byte[] update)
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1, Gc = true });
        if (first is not null)
        {
            doc.ApplyUpdate(first);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        doc.ApplyUpdate(update);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Apply_RunOfUnmergedCharacters_AllocatesLinearly()
    {
        // Merging the run right to left copied the growing right part at every step (quadratic bytes).
        var small = AllocatedApplying(null, HostileUpdates.TinyStructs(60_000));
        var large = AllocatedApplying(null, HostileUpdates.TinyStructs(120_000));
        Assert.InRange((double)large / small, 1.5, 2.5);
    }

    [Fact]
    public void Apply_DeleteSetCuttingALongItemEverywhere_AllocatesLinearly()
    {
        // Each cut copied the rest of the item's characters (quadratic bytes).
        var small = AllocatedApplying(HostileUpdates.Base("delete-set", 50_000), HostileUpdates.DeleteSetOnly(50_000));
        var large = AllocatedApplying(HostileUpdates.Base("delete-set", 100_000), HostileUpdates.DeleteSetOnly(100_000));
        Assert.InRange((double)large / small, 1.5, 2.5);
    }
}
