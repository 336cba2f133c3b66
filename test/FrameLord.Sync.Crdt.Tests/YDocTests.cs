namespace FrameLord.Sync.Crdt.Tests;

public class YDocTests
{
    private static string Hex(byte[] b) => string.Join(" ", b.Select(x => x.ToString("x2")));

    [Fact]
    public void Smoke_GoldenTextExample()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 3 });
        var t = doc.GetText("t");
        t.Insert(0, "a");
        t.Insert(1, "b");
        t.Insert(2, "cdefghij");
        t.Delete(2, 3);
        Assert.Equal("abfghij", t.ToString());
        Assert.Equal("01 03 03 00 04 01 01 74 02 61 62 81 03 01 03 84 03 04 05 66 67 68 69 6a 01 03 01 02 03", Hex(doc.EncodeStateAsUpdate()));
    }
}
