using System.Net;
using System.Text;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>A Yjs update over Limits:MaxYjsUpdateBytes answers 413 and stores nothing (limit lowered so the test stays small).</summary>
public sealed class DocumentLimitTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:MaxYjsUpdateBytes"] = "4096" });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task AnUpdateOverTheLimit_Is413_AndStoresNothing()
    {
        var client = _server.Client((await _server.SignupAsync()).AccessToken);
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        doc.GetText("t").Insert(0, new string('x', 5000));
        var body = $$"""{"yjs_updates":"{{Convert.ToBase64String(doc.EncodeStateAsUpdate())}}"}""";
        var response = await client.PostAsync("/api/v1/notes/n/sync", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains(ErrorCodes.PayloadTooLarge, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var empty = await client.PostAsync("/api/v1/notes/n/sync", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Contains("\"sync_version\":0", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
