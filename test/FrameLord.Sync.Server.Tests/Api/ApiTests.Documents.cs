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
}
