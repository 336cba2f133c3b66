namespace FrameLord.Sync.Crdt.Tests.Inspection;

public class YUpdateInspectionTests
{
    private static (YDoc Doc, List<byte[]> Updates) Recording(ulong clientId)
    {
        var doc = new YDoc(new YDocOptions { ClientId = clientId });
        var updates = new List<byte[]>();
        doc.UpdateV1 += (_, e) => updates.Add(e.Update);
        return (doc, updates);
    }

    private static readonly Dictionary<ulong, long> Empty = [];

    [Fact]
    public void TryIntegrate_InOrder_AdvancesTheStateVector_OutOfOrderIsRefused()
    {
        var (doc, updates) = Recording(1);
        doc.GetText("t").Insert(0, "abc");
        doc.GetText("t").Insert(3, "def");

        Assert.False(YUpdateInspection.TryIntegrate(updates[1], Empty, out _));
        Assert.True(YUpdateInspection.TryIntegrate(updates[0], Empty, out var afterFirst));
        Assert.Equal(3, afterFirst[1]);
        Assert.True(YUpdateInspection.TryIntegrate(updates[1], afterFirst, out var afterSecond));
        Assert.Equal(6, afterSecond[1]);
        Assert.Equal(doc.GetStateVector()[1], afterSecond[1]);
    }

    [Fact]
    public void TryIntegrate_RefusesAnOriginFromAnotherClientThatIsMissing_AndAPendingDelete()
    {
        var (a, aUpdates) = Recording(1);
        a.GetText("t").Insert(0, "hello");
        var (b, bUpdates) = Recording(2);
        b.ApplyUpdate(aUpdates[0]);
        bUpdates.Clear();
        b.GetText("t").Insert(5, " world");   // origin is A's last character
        b.GetText("t").Delete(0, 1);          // deletes A's first character

        Assert.False(YUpdateInspection.TryIntegrate(bUpdates[0], Empty, out _));
        var aState = new Dictionary<ulong, long> { [1] = 5 };
        Assert.True(YUpdateInspection.TryIntegrate(bUpdates[0], aState, out var after));
        Assert.Equal(6, after[2]);
        Assert.False(YUpdateInspection.TryIntegrate(bUpdates[1], Empty, out _));
        Assert.True(YUpdateInspection.TryIntegrate(bUpdates[1], aState, out _));
        // The whole of B's state carries A's content with it, so it integrates into an empty document.
        Assert.True(YUpdateInspection.TryIntegrate(b.EncodeStateAsUpdate(), Empty, out var whole));
        Assert.Equal(5, whole[1]);
        Assert.Equal(6, whole[2]);
    }

    [Fact]
    public void AddsNothing_IsTrueOnlyForContentAlreadyCovered()
    {
        var (doc, updates) = Recording(7);
        doc.GetMap("m").Set("k", "v");
        Assert.False(YUpdateInspection.AddsNothing(updates[0], Empty));
        Assert.True(YUpdateInspection.AddsNothing(updates[0], new Dictionary<ulong, long>(doc.GetStateVector())));
        doc.GetMap("m").Delete("k");
        Assert.False(YUpdateInspection.AddsNothing(updates[1], new Dictionary<ulong, long>(doc.GetStateVector())));
    }

    [Fact]
    public void DeleteSetOf_AndDeleteSetCovered_SeeOnlyDeletions()
    {
        var (doc, updates) = Recording(3);
        doc.GetText("t").Insert(0, "abcdefgh");
        doc.GetText("t").Delete(1, 2);
        doc.GetText("t").Delete(5, 1);
        var whole = doc.EncodeStateAsUpdate();

        var deletions = YUpdateInspection.DeleteSetOf(whole);
        var probe = new YDoc(new YDocOptions { ClientId = 4 });
        probe.ApplyUpdate(whole);
        Assert.Equal(probe.GetDeleteSet(), doc.GetDeleteSet());
        Assert.Equal(0, deletions[0]); // no struct sections
        Assert.True(YUpdateInspection.DeleteSetCovered(whole, deletions));
        Assert.True(YUpdateInspection.DeleteSetCovered(updates[1], deletions));
        Assert.False(YUpdateInspection.DeleteSetCovered(updates[2], YUpdateInspection.DeleteSetOf(updates[1])));
        Assert.True(YUpdateInspection.DeleteSetCovered(updates[0], YUpdate.Empty));
        Assert.False(YUpdateInspection.DeleteSetCovered(whole, YUpdate.Empty));
        var merged = YUpdate.MergeUpdates([YUpdateInspection.DeleteSetOf(updates[1]), YUpdateInspection.DeleteSetOf(updates[2])]);
        Assert.True(YUpdateInspection.DeleteSetCovered(whole, merged));
    }

    [Fact]
    public void UnionOfDeleteSets_IsTheMergeOfBothDeleteSets_AndLeavesTheStructsOut()
    {
        var rng = new Random(42);
        for (var trial = 0; trial < 50; trial++)
        {
            var (doc, updates) = Recording((ulong)(10 + trial));
            var text = doc.GetText("t");
            text.Insert(0, new string('x', 200));
            for (var i = 0; i < 20; i++)
            {
                text.Delete(rng.Next(text.Length - 5), rng.Next(1, 5));
            }

            var a = updates[rng.Next(updates.Count)];
            var b = rng.Next(4) == 0 ? YUpdate.Empty.ToArray() : updates[rng.Next(updates.Count)];
            var expected = YUpdate.MergeUpdates([YUpdateInspection.DeleteSetOf(a), YUpdateInspection.DeleteSetOf(b)]);
            Assert.Equal(expected, YUpdateInspection.UnionOfDeleteSets(a, b));
            Assert.Equal(expected, YUpdateInspection.UnionOfDeleteSets(b, a));
        }
    }

    [Fact]
    public void Inspect_RefusesAClientListedInTwoSections()
    {
        // Two sections of client 5, each one string item "a" in the root type "m" (info 0x04: string content, parent by name).
        var section = new byte[] { 1, 5, 0, 0x04, 1, 1, (byte)'m', 1, (byte)'a' };
        var update = new List<byte> { 2 };
        update.AddRange(section);
        update.AddRange(section);
        update.Add(0);
        Assert.Throws<YjsFormatException>(() => YUpdateInspection.Inspect(update.ToArray(), new Dictionary<ulong, long>(), YUpdate.Empty));
    }

    [Fact]
    public void AddsNothing_WithKnownDeletions_IgnoresADeleteSetTheServerAlreadyHas()
    {
        var (doc, updates) = Recording(5);
        doc.GetText("t").Insert(0, "abcdef");
        doc.GetText("t").Delete(0, 2);
        var state = new Dictionary<ulong, long>(doc.GetStateVector());
        var known = YUpdateInspection.DeleteSetOf(updates[1]);

        // A client resending its whole state (structs and delete set) the server has: a no-op.
        Assert.True(YUpdateInspection.AddsNothing(doc.EncodeStateAsUpdate(), state, known));
        Assert.False(YUpdateInspection.AddsNothing(doc.EncodeStateAsUpdate(), state));
        // Without the deletion known, or without the structs known, it adds something.
        Assert.False(YUpdateInspection.AddsNothing(doc.EncodeStateAsUpdate(), state, YUpdate.Empty));
        Assert.False(YUpdateInspection.AddsNothing(doc.EncodeStateAsUpdate(), Empty, known));
        doc.GetText("t").Delete(0, 1);
        Assert.False(YUpdateInspection.AddsNothing(doc.EncodeStateAsUpdate(), state, known));
    }

    [Fact]
    public void Inspect_AgreesWithTheSeparateQuestions()
    {
        var (a, aUpdates) = Recording(1);
        a.GetText("t").Insert(0, "hello");
        a.GetText("t").Delete(1, 2);
        var (b, bUpdates) = Recording(2);
        b.ApplyUpdate(a.EncodeStateAsUpdate());
        bUpdates.Clear();
        b.GetText("t").Insert(0, ">");
        var known = YUpdateInspection.DeleteSetOf(aUpdates[1]);
        var aState = new Dictionary<ulong, long>(a.GetStateVector());

        foreach (var (update, state) in new[] { (a.EncodeStateAsUpdate(), aState), (a.EncodeStateAsUpdate(), Empty), (bUpdates[0], Empty), (bUpdates[0], aState) })
        {
            var inspection = YUpdateInspection.Inspect(update, state, known);
            Assert.Equal(YUpdateInspection.TryIntegrate(update, state, out var after), inspection.Integrates);
            Assert.Equal(after, inspection.After);
            Assert.Equal(YUpdateInspection.AddsNothing(update, state, known), inspection.AddsNothing);
            Assert.Equal(YUpdateInspection.DeleteSetOf(update), inspection.Deletions);
        }

        Assert.True(YUpdateInspection.Inspect(a.EncodeStateAsUpdate(), aState, known).AddsNothing);
        Assert.False(YUpdateInspection.Inspect(bUpdates[0], Empty, known).Integrates);
    }

    /// <summary>The verdict agrees with what a document does: apply iff it would leave nothing pending.</summary>
    [Fact]
    public void TryIntegrate_AgreesWithADocument_OnRandomDeliveries()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var docs = Enumerable.Range(0, 3).Select(i => Recording((ulong)(10 + i))).ToArray();
            var all = new List<byte[]>();
            for (var step = 0; step < 30; step++)
            {
                var (doc, updates) = docs[random.Next(docs.Length)];
                var text = doc.GetText("t");
                if (text.Length > 0 && random.Next(3) == 0)
                {
                    text.Delete(random.Next(text.Length), 1);
                }
                else
                {
                    text.Insert(random.Next(text.Length + 1), ((char)('a' + random.Next(26))).ToString());
                }

                all.Add(updates[^1]);
                // Occasionally another replica catches up, so later edits depend on other clients.
                var (other, _) = docs[random.Next(docs.Length)];
                if (random.Next(2) == 0)
                {
                    other.ApplyUpdate(doc.EncodeStateAsUpdate(other.EncodeStateVector()));
                }
            }

            var server = new YDoc(new YDocOptions { ClientId = 99 });
            foreach (var update in all.OrderBy(_ => random.Next()))
            {
                var state = new Dictionary<ulong, long>(server.GetStateVector());
                var verdict = YUpdateInspection.TryIntegrate(update, state, out var after);
                var probe = new YDoc(new YDocOptions { ClientId = 98 });
                probe.ApplyUpdate(server.EncodeStateAsUpdate());
                probe.ApplyUpdate(update);
                Assert.True(verdict == !probe.HasPending, $"seed {seed}: verdict {verdict}, document pending {probe.HasPending}");
                if (verdict)
                {
                    server.ApplyUpdate(update);
                    Assert.Equal(server.GetStateVector().OrderBy(kv => kv.Key), after.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));
                }
            }
        }
    }
}
