using System.Net;
using System.Net.Http.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Tests.Api;

public abstract partial class ApiTests
{
    [Fact]
    public async Task DocumentSync_OverHttp_Base64Both_Ways_WithItsErrors()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var doc = new YDoc(new YDocOptions { ClientId = 5 });
        doc.GetText("t").Insert(0, "over the wire");
        var update = doc.EncodeStateAsUpdate();

        var body = $$"""{"yjs_updates":"{{Convert.ToBase64String(update)}}","state_vector":"{{Convert.ToBase64String(doc.EncodeStateVector())}}"}""";
        var response = await client.PostAsync("/api/v1/notes/note_1/sync", JsonBody(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var synced = (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.DocumentSyncResponse))!;
        Assert.Equal(1, synced.SyncVersion);
        Assert.Equal(doc.EncodeStateVector(), synced.NewStateVector);

        var fresh = await client.PostAsync("/api/v1/notes/note_1/sync", JsonBody("{}"));
        var full = (await fresh.Content.ReadFromJsonAsync(SyncJsonContext.Default.DocumentSyncResponse))!;
        var other = new YDoc(new YDocOptions { ClientId = 6 });
        other.ApplyUpdate(full.Updates);
        Assert.Equal("over the wire", other.GetText("t").ToString());

        var garbage = await client.PostAsync("/api/v1/notes/note_1/sync", JsonBody("""{"yjs_updates":"AQID"}"""));
        Assert.Equal(ErrorCodes.InvalidYjsUpdate, (await ErrorOf(garbage, HttpStatusCode.BadRequest)).Code);
        var notBase64 = await client.PostAsync("/api/v1/notes/note_1/sync", JsonBody("""{"yjs_updates":"***"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(notBase64, HttpStatusCode.BadRequest)).Code);
        var after = (await (await client.PostAsync("/api/v1/notes/note_1/sync", JsonBody("{}"))).Content.ReadFromJsonAsync(SyncJsonContext.Default.DocumentSyncResponse))!;
        Assert.Equal(1, after.SyncVersion);

        var anonymous = await Server.Client().PostAsync("/api/v1/notes/note_1/sync", JsonBody("{}"));
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(anonymous, HttpStatusCode.Unauthorized)).Code);
    }

    [Fact]
    public async Task DocumentSync_NoteIdsAreDecodedOnce_SoASlashAndALiteralPercent2FAreTwoNotes()
    {
        var auth = await Server.SignupAsync();
        var client = Server.Client(auth.AccessToken);
        ulong clientId = 20;
        async Task<string> WriteAsync(string path, string text)
        {
            var doc = new YDoc(new YDocOptions { ClientId = ++clientId });
            doc.GetText("t").Insert(0, text);
            var body = $$"""{"yjs_updates":"{{Convert.ToBase64String(doc.EncodeStateAsUpdate())}}"}""";
            var response = await client.PostAsync($"/api/v1/notes/{path}/sync", JsonBody(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reader = new YDoc(new YDocOptions { ClientId = 99 });
            reader.ApplyUpdate((await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.DocumentSyncResponse))!.Updates);
            return reader.GetText("t").ToString();
        }

        Assert.Equal("slash", await WriteAsync(Uri.EscapeDataString("a/b"), "slash"));       // a%2Fb
        Assert.Equal("percent", await WriteAsync(Uri.EscapeDataString("a%2Fb"), "percent")); // a%252Fb
        Assert.Equal("space", await WriteAsync("a%20b", "space"));
        var store = (FrameLord.Sync.Server.Storage.ISyncStore)Server.Services.GetService(typeof(FrameLord.Sync.Server.Storage.ISyncStore))!;
        foreach (var id in new[] { "a/b", "a%2Fb", "a b" })
        {
            Assert.Equal(1, (await store.ReadDocumentHeadAsync(auth.UserId, id, CancellationToken.None))!.SyncVersion);
        }
    }
}
