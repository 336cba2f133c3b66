using FrameLord.Sync.Crdt.Events;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Tests.Unit;

public sealed class TypesApiTests
{
    private static YDoc Doc(ulong id = 1) => new(new YDocOptions { ClientId = id });

    private static void Sync(YDoc a, YDoc b)
    {
        b.ApplyUpdate(a.EncodeStateAsUpdate(b.EncodeStateVector()));
        a.ApplyUpdate(b.EncodeStateAsUpdate(a.EncodeStateVector()));
    }

    [Fact]
    public void Map_SetGetDeleteKeys()
    {
        var doc = Doc();
        var map = doc.GetMap("m");
        map.Set("a", 1);
        map.Set("b", "two");
        map.Set("c", new Dictionary<string, object?> { ["x"] = true });
        map.Delete("a");
        Assert.False(map.Has("a"));
        Assert.Null(map.Get("a"));
        Assert.Equal("two", map.Get("b"));
        Assert.Equal(["b", "c"], map.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void Array_InsertPushDeleteGet()
    {
        var doc = Doc();
        var array = doc.GetArray("a");
        array.Push(1, 2, 3);
        array.Insert(1, "x", null);
        array.Delete(0);
        Assert.Equal(new object?[] { "x", null, 2L, 3L }, array.ToArray().Select(v => v is int i ? (long)i : v));
        Assert.Equal(4, array.Length);
        Assert.Equal("x", array.Get(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Insert(9, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Delete(3, 2));
    }

    [Fact]
    public void BlockSuiteShapedDocument_RoundTrips()
    {
        var doc = Doc(7);
        var blocks = doc.GetMap("blocks");
        doc.Transact(_ =>
        {
            for (var i = 0; i < 20; i++)
            {
                var block = blocks.Set("block" + i, new YMap());
                block.Set("sys:flavour", "affine:paragraph");
                block.Set("prop:text", new YText()).Insert(0, "Paragraph " + i);
                block.Set("sys:children", new YArray()).Push("child" + i);
            }
        });
        var copy = Doc(8);
        copy.ApplyUpdate(doc.EncodeStateAsUpdate());
        var block5 = copy.GetMap("blocks").Get<YMap>("block5")!;
        Assert.Equal("Paragraph 5", block5.Get<YText>("prop:text")!.ToString());
        Assert.Equal(["child5"], block5.Get<YArray>("sys:children")!.ToArray());
        Assert.Equal(doc.EncodeStateAsUpdate(), copy.EncodeStateAsUpdate());
    }

    [Fact]
    public void Text_FormatEmbedsAndDelta()
    {
        var doc = Doc();
        var text = doc.GetText("t");
        text.Insert(0, "Hello world");
        text.Format(0, 5, new Dictionary<string, object?> { ["bold"] = true });
        text.InsertEmbed(11, new Dictionary<string, object?> { ["image"] = "a.png" });
        var delta = text.ToDelta();
        Assert.Equal(3, delta.Count);
        Assert.Equal("Hello", delta[0].Insert);
        Assert.Equal(true, delta[0].Attributes!["bold"]);
        Assert.Equal(" world", delta[1].Insert);
        Assert.Null(delta[1].Attributes);
        Assert.Equal("a.png", ((IDictionary<string, object?>)delta[2].Insert!)["image"]);
        Assert.Equal(12, text.Length);
        Assert.Equal("Hello world", text.ToString());

        text.Format(0, 5, new Dictionary<string, object?> { ["bold"] = null });
        Assert.Null(text.ToDelta()[0].Attributes);
    }

    [Fact]
    public void Text_InsertWithoutAttributes_InheritsFormatting()
    {
        var doc = Doc();
        var text = doc.GetText("t");
        text.Insert(0, "ab", new Dictionary<string, object?> { ["italic"] = true });
        text.Insert(1, "X");
        Assert.Single(text.ToDelta());
        text.Insert(3, "Y", new Dictionary<string, object?>());
        Assert.Equal(2, text.ToDelta().Count);
    }

    [Fact]
    public void Transact_OriginReachesObserversAndUpdates()
    {
        var doc = Doc();
        var text = doc.GetText("t");
        object? seenOrigin = null;
        object? updateOrigin = null;
        var updates = 0;
        using var sub = text.Observe(e => seenOrigin = e.Transaction.Origin);
        doc.UpdateV1 += (_, e) =>
        {
            updates++;
            updateOrigin = e.Origin;
        };
        doc.Transact(_ =>
        {
            text.Insert(0, "a");
            text.Insert(1, "b");
        }, origin: "editor");
        Assert.Equal("editor", seenOrigin);
        Assert.Equal("editor", updateOrigin);
        Assert.Equal(1, updates);
        doc.Transact(_ => { });
        Assert.Equal(1, updates);
    }

    [Fact]
    public void Observe_TextDelta()
    {
        var doc = Doc();
        var text = doc.GetText("t");
        text.Insert(0, "abcdef");
        IReadOnlyList<YDeltaOp>? delta = null;
        using var sub = text.Observe(e => delta = e.Delta);
        doc.Transact(_ =>
        {
            text.Delete(1, 2);
            text.Insert(3, "XY", new Dictionary<string, object?> { ["bold"] = true });
        });
        Assert.NotNull(delta);
        Assert.Equal(1, delta![0].Retain);
        Assert.Equal(2, delta[1].Delete);
        Assert.Equal(2, delta[2].Retain);
        Assert.Equal("XY", delta[3].Insert);
        Assert.Equal(true, delta[3].Attributes!["bold"]);
    }

    [Fact]
    public void Observe_ArrayDeltaAndMapKeys()
    {
        var doc = Doc();
        var array = doc.GetArray("a");
        var map = doc.GetMap("m");
        array.Push(1, 2, 3);
        map.Set("keep", 1);
        map.Set("gone", 2);
        IReadOnlyList<YDeltaOp>? arrayDelta = null;
        IReadOnlyDictionary<string, YMapKeyChange>? keys = null;
        using var s1 = array.Observe(e => arrayDelta = e.Delta);
        using var s2 = map.Observe(e => keys = e.Keys);
        doc.Transact(_ =>
        {
            array.Delete(0);
            array.Insert(1, "x");
            map.Set("keep", 10);
            map.Delete("gone");
            map.Set("new", true);
        });
        Assert.Equal(1, arrayDelta![0].Delete);
        Assert.Equal(1, arrayDelta[1].Retain);
        Assert.Equal(new object?[] { "x" }, (List<object?>)arrayDelta[2].Insert!);
        Assert.Equal(YMapChangeAction.Update, keys!["keep"].Action);
        Assert.Equal(1, keys["keep"].OldValue);
        Assert.Equal(YMapChangeAction.Delete, keys["gone"].Action);
        Assert.Equal(YMapChangeAction.Add, keys["new"].Action);
    }

    [Fact]
    public void ObserveDeep_ReportsNestedEventsWithPaths()
    {
        var doc = Doc();
        var root = doc.GetMap("root");
        var child = root.Set("child", new YMap());
        var text = child.Set("text", new YText());
        IReadOnlyList<YEvent>? events = null;
        object? nestedInsert = null;
        using var sub = root.ObserveDeep(e =>
        {
            events = e.ToList();
            nestedInsert = e[1].Delta[0].Insert;
        });
        doc.Transact(_ =>
        {
            text.Insert(0, "hi");
            root.Set("flag", true);
        });
        Assert.Equal(2, events!.Count);
        Assert.Empty(events[0].Path);
        Assert.Equal(new object[] { "child", "text" }, events[1].Path);
        Assert.Equal("hi", nestedInsert);
    }

    [Fact]
    public void RemoteUpdates_AreObservedAsRemote()
    {
        var a = Doc(1);
        var b = Doc(2);
        var local = true;
        using var sub = b.GetText("t").Observe(e => local = e.Transaction.Local);
        a.GetText("t").Insert(0, "x");
        b.ApplyUpdate(a.EncodeStateAsUpdate(), origin: "network");
        Assert.False(local);
    }

    [Fact]
    public void GcOff_KeepsDeletedContent()
    {
        var gcOn = Doc(1);
        var gcOff = new YDoc(new YDocOptions { ClientId = 1, Gc = false });
        foreach (var doc in new[] { gcOn, gcOff })
        {
            doc.GetText("t").Insert(0, "hello");
            doc.GetText("t").Delete(0, 5);
        }

        Assert.True(gcOff.EncodeStateAsUpdate().Length > gcOn.EncodeStateAsUpdate().Length);
        Assert.Contains("hello", System.Text.Encoding.UTF8.GetString(gcOff.EncodeStateAsUpdate()), StringComparison.Ordinal);
    }

    [Fact]
    public void UntypedRoot_IsAdoptedOnFirstTypedAccess()
    {
        var a = Doc(1);
        a.GetText("t").Insert(0, "abc");
        var b = Doc(2);
        b.ApplyUpdate(a.EncodeStateAsUpdate());
        Assert.IsType<UntypedRoot>(b.GetRootOrNull("t"));
        Assert.Equal("abc", b.GetText("t").ToString());
        Assert.Throws<InvalidOperationException>(() => b.GetMap("t"));
    }

    [Fact]
    public void ConcurrentInserts_OrderByClientId()
    {
        var a = Doc(1);
        var b = Doc(2);
        a.GetText("t").Insert(0, "A");
        b.GetText("t").Insert(0, "B");
        Sync(a, b);
        Assert.Equal("AB", a.GetText("t").ToString());
        Assert.Equal("AB", b.GetText("t").ToString());
    }

    [Fact]
    public void ConcurrentMapSets_Converge()
    {
        var a = Doc(1);
        var b = Doc(2);
        a.GetMap("m").Set("k", "from a");
        b.GetMap("m").Set("k", "from b");
        Sync(a, b);
        Assert.Equal(a.GetMap("m").Get("k"), b.GetMap("m").Get("k"));
    }

    [Fact]
    public void RemoteUpdateWithOwnClientId_DrawsNewId()
    {
        var rng = new Random(42);
        var a = new YDoc(new YDocOptions { ClientId = 5 });
        var b = new YDoc(new YDocOptions { ClientId = 5, Random = rng });
        a.GetText("t").Insert(0, "x");
        b.ApplyUpdate(a.EncodeStateAsUpdate());
        Assert.NotEqual(5UL, b.ClientId);
        Assert.True(b.ClientId <= uint.MaxValue);
    }

    [Fact]
    public void DefaultClientId_ComesFromInjectedRandom()
    {
        var x = new YDoc(new YDocOptions { Random = new Random(3) });
        var y = new YDoc(new YDocOptions { Random = new Random(3) });
        Assert.Equal(x.ClientId, y.ClientId);
        Assert.True(x.ClientId <= uint.MaxValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.ClientId = 1UL << 53);
    }

    [Fact]
    public void FailedApply_LeavesDocumentUnchanged()
    {
        var doc = Doc();
        doc.GetText("t").Insert(0, "abc");
        var before = doc.EncodeStateAsUpdate();
        var bad = new YDoc(new YDocOptions { ClientId = 9 });
        bad.GetText("t").Insert(0, "zzz");
        var update = bad.EncodeStateAsUpdate();
        Assert.Throws<YjsFormatException>(() => doc.ApplyUpdate(update.AsSpan(0, update.Length - 3)));
        Assert.Equal(before, doc.EncodeStateAsUpdate());
    }

    [Fact]
    public void DiffUpdate_OfSnapshot_EqualsEncodeAgainstStateVector()
    {
        var doc = Doc(1);
        var text = doc.GetText("t");
        text.Insert(0, "hello world");
        var replica = Doc(2);
        replica.ApplyUpdate(doc.EncodeStateAsUpdate());
        text.Insert(5, ",");
        text.Delete(0, 1);
        var snapshot = doc.EncodeStateAsUpdate();
        var sv = replica.EncodeStateVector();
        Assert.Equal(doc.EncodeStateAsUpdate(sv), YUpdate.DiffUpdate(snapshot, sv));
        replica.ApplyUpdate(YUpdate.DiffUpdate(snapshot, sv));
        Assert.Equal("ello, world", replica.GetText("t").ToString());
        Assert.Equal(doc.EncodeStateVector(), YUpdate.EncodeStateVectorFromUpdate(snapshot));
    }

    [Fact]
    public void ThrowingObserver_DoesNotSkipCleanupOrUpdates()
    {
        var doc = Doc();
        var text = doc.GetText("t");
        var updates = 0;
        doc.UpdateV1 += (_, _) => updates++;
        using var sub = text.Observe(_ => throw new InvalidOperationException("observer failed"));
        Assert.Throws<InvalidOperationException>(() => text.Insert(0, "abc"));
        Assert.Equal(1, updates);
        Assert.Throws<InvalidOperationException>(() => text.Insert(3, "d"));
        Assert.Equal(2, updates);
        // The two inserts were merged after the transaction despite the failing observer.
        Assert.Equal("01 01 01 00 04 01 01 74 04 61 62 63 64 00", string.Join(" ", doc.EncodeStateAsUpdate().Select(b => b.ToString("x2"))));
    }
}
