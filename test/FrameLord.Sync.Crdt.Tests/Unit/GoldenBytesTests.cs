namespace FrameLord.Sync.Crdt.Tests.Unit;

/// <summary>Byte-exact examples produced by yjs 13.6.33 (../shared/YJS_V1_FORMAT.md section 8).</summary>
public sealed class GoldenBytesTests
{
    private static string Hex(byte[] bytes) => string.Join(" ", bytes.Select(b => b.ToString("x2")));

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    [Fact]
    public void TextEdits_EncodeLikeYjs()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 3 });
        var updates = new List<byte[]>();
        doc.UpdateV1 += (_, e) => updates.Add(e.Update);
        var t = doc.GetText("t");
        t.Insert(0, "a");
        t.Insert(1, "b");
        t.Insert(2, "cdefghij");
        t.Delete(2, 3);

        Assert.Equal("01 01 03 00 04 01 01 74 01 61 00", Hex(updates[0]));
        Assert.Equal("01 01 03 01 84 03 00 01 62 00", Hex(updates[1]));
        Assert.Equal("00 01 03 01 02 03", Hex(updates[3]));
        Assert.Equal("abfghij", t.ToString());
        Assert.Equal("01 03 03 00 04 01 01 74 02 61 62 81 03 01 03 84 03 04 05 66 67 68 69 6a 01 03 01 02 03", Hex(doc.EncodeStateAsUpdate()));
    }

    [Fact]
    public void MergeUpdates_WithGap_WritesSkip()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 3 });
        var updates = new List<byte[]>();
        doc.UpdateV1 += (_, e) => updates.Add(e.Update);
        var t = doc.GetText("t");
        foreach (var c in "abcdefg")
        {
            t.Insert(t.Length, c.ToString());
        }

        var merged = YUpdate.MergeUpdates([updates[0], updates[1], updates[5], updates[6]]);
        Assert.Equal("01 05 03 00 04 01 01 74 01 61 84 03 00 01 62 0a 03 84 03 04 01 66 84 03 05 01 67 00", Hex(merged));

        // A replica given only the merged update keeps f and g pending until c, d, e arrive.
        var replica = new YDoc(new YDocOptions { ClientId = 4 });
        replica.ApplyUpdate(merged);
        Assert.Equal("ab", replica.GetText("t").ToString());
        Assert.True(replica.HasPending);
        Assert.Equal("01 03 02", Hex(YUpdate.EncodeStateVectorFromUpdate(merged)));
        replica.ApplyUpdate(YUpdate.MergeUpdates([updates[2], updates[3], updates[4]]));
        Assert.Equal("abcdefg", replica.GetText("t").ToString());
        Assert.False(replica.HasPending);
    }

    [Fact]
    public void DeletedMapWithChild_IsGarbageCollected()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 6 });
        var array = doc.GetArray("a");
        var map = new Types.YMap();
        array.Insert(0, map);
        map.Set("x", 1);
        array.Delete(0);
        Assert.Equal("01 02 06 00 01 01 01 61 01 00 01 01 06 01 00 02", Hex(doc.EncodeStateAsUpdate()));
    }

    [Fact]
    public void StateVector_SortsClientsDescending()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        foreach (var client in new ulong[] { 4294967295, (1UL << 53) - 1, 1 })
        {
            doc.ClientId = client;
            doc.GetText("t").Insert(0, "abcd");
        }

        Assert.Equal("03 ff ff ff ff ff ff ff 0f 04 ff ff ff ff 0f 04 01 04", Hex(doc.EncodeStateVector()));
        var sv = YUpdate.DecodeStateVector(doc.EncodeStateVector());
        Assert.Equal(4, sv[(1UL << 53) - 1]);
    }

    [Fact]
    public void MapAndNestedArray_EncodeLikeYjs()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 5 });
        var m = doc.GetMap("m");
        m.Set("k", 1);
        m.Set("k", "x");
        var arr = m.Set("arr", new Types.YArray());
        arr.Push(true);
        var update = doc.EncodeStateAsUpdate();
        // clock 0: info 0x21, parent "m", key "k", Deleted(1); clock 1: info 0xA8 origin (5,0), any "x";
        // clock 2: info 0x27, parent "m", key "arr", type ref 0; clock 3: info 0x08, parent id (5,2), any true; DS [(0,1)].
        Assert.Equal(
            "01 04 05 00 21 01 01 6d 01 6b 01 a8 05 00 01 77 01 78 27 01 01 6d 03 61 72 72 00 08 00 05 02 01 78 01 05 01 00 01",
            Hex(update));
        var copy = new YDoc();
        copy.ApplyUpdate(update);
        Assert.Equal("x", copy.GetMap("m").Get("k"));
        Assert.Equal([true], copy.GetMap("m").Get<Types.YArray>("arr")!.ToArray());
    }

    [Fact]
    public void LegacyJsonContent_IsDecoded()
    {
        // A hand-built ref-2 (ContentJSON) item: root array "a" holding [1, "a"].
        var update = Bytes("01 01 07 00 02 01 01 61 02 01 31 03 22 61 22 00");
        var doc = new YDoc();
        doc.ApplyUpdate(update);
        Assert.Equal(new object?[] { 1L, "a" }, doc.GetArray("a").ToArray());
        Assert.Equal(Hex(update), Hex(doc.EncodeStateAsUpdate()));
    }

    [Fact]
    public void SplitSurrogatePair_BecomesReplacementCharacters()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        var t = doc.GetText("t");
        t.Insert(0, "a😀b");
        t.Insert(2, "X");
        Assert.Equal("a\uFFFDX\uFFFDb", t.ToString());
        var remote = new YDoc();
        remote.ApplyUpdate(doc.EncodeStateAsUpdate());
        Assert.Equal("a\uFFFDX\uFFFDb", remote.GetText("t").ToString());
    }
}
