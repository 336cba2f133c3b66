using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Tests.Live;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>Device sessions, refresh, logout, password change, export and account deletion (DESIGN 3.1).</summary>
public abstract partial class ApiTests
{
    private const string Password = "correct horse battery";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<AuthResponse> SignupOnAsync(string email, string deviceId, string deviceName = "Phone")
    {
        var response = await Server.Client().PostAsync("/api/v1/auth/signup", JsonBody(
            $$"""{"email":"{{email}}","password":"{{Password}}","display_name":"Sam","device_id":"{{deviceId}}","device_name":"{{deviceName}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
    }

    private async Task<AuthResponse> LoginOnAsync(string email, string deviceId, string password = Password)
    {
        var response = await Server.Client().PostAsync("/api/v1/auth/login", JsonBody(
            $$"""{"email":"{{email}}","password":"{{password}}","device_id":"{{deviceId}}","device_name":"Laptop"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
    }

    private Task<HttpResponseMessage> RefreshAsync(string? refreshToken) =>
        Server.Client().PostAsync("/api/v1/auth/refresh", JsonBody(JsonSerializer.Serialize(new RefreshRequest { RefreshToken = refreshToken! }, SyncJsonContext.Default.RefreshRequest)));

    private static async Task<HttpStatusCode> PullStatusAsync(HttpClient client) =>
        (await client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"d","schema_version":"1"}"""))).StatusCode;

    private static string NewEmail() => $"acc-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Refresh_RotatesTheToken_AndASpentTokenPresentedAgainRevokesTheDevice()
    {
        var email = NewEmail();
        var signup = await SignupOnAsync(email, "dev_phone");
        Assert.Equal("dev_phone", signup.DeviceId);
        Assert.False(string.IsNullOrEmpty(signup.RefreshToken));

        var first = await RefreshAsync(signup.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = (await first.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
        Assert.Equal(signup.UserId, rotated.UserId);
        Assert.Equal(signup.ContactZeroId, rotated.ContactZeroId);
        Assert.Equal("dev_phone", rotated.DeviceId);
        Assert.NotEqual(signup.RefreshToken, rotated.RefreshToken);
        Assert.Equal("Bearer", rotated.TokenType);
        Assert.True(rotated.ExpiresIn > 0);
        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(Server.Client(rotated.AccessToken)));

        // The rotated token again: a second holder. The whole device goes, the newest token and access token too.
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(await RefreshAsync(signup.RefreshToken), HttpStatusCode.Unauthorized)).Code);
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(await RefreshAsync(rotated.RefreshToken), HttpStatusCode.Unauthorized)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, await PullStatusAsync(Server.Client(rotated.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PullStatusAsync(Server.Client(signup.AccessToken)));

        // Logging in again on that device starts a fresh session that works.
        var again = await LoginOnAsync(email, "dev_phone");
        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(Server.Client(again.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(again.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Refresh_UnknownMalformedOrMissingTokens_AreRefused_AndLoginWithoutADeviceGetsOne()
    {
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(await RefreshAsync("frt_not-a-token"), HttpStatusCode.Unauthorized)).Code);
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(await RefreshAsync(new string('x', 5000)), HttpStatusCode.Unauthorized)).Code);
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(await RefreshAsync(""), HttpStatusCode.Unauthorized)).Code);
        var missing = await Server.Client().PostAsync("/api/v1/auth/refresh", JsonBody("{}"));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(missing, HttpStatusCode.BadRequest)).Code);
        var garbage = await Server.Client().PostAsync("/api/v1/auth/refresh", JsonBody("""{"refresh_token":5}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(garbage, HttpStatusCode.BadRequest)).Code);

        var plain = await Server.SignupAsync();
        Assert.StartsWith("dev_", plain.DeviceId, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(plain.RefreshToken)).StatusCode);

        var badDevice = await Server.Client().PostAsync("/api/v1/auth/login", JsonBody("""{"email":"a@b.c","password":"whatever1","device_id":"bad\u0001id"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(badDevice, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task Logout_RevokesTheCallersDeviceOnly()
    {
        var email = NewEmail();
        var phone = await SignupOnAsync(email, "dev_phone");
        var laptop = await LoginOnAsync(email, "dev_laptop");

        var logout = await Server.Client(phone.AccessToken).PostAsync("/api/v1/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await PullStatusAsync(Server.Client(phone.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(phone.RefreshToken)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(Server.Client(laptop.AccessToken)));
        var devices = await Server.Client(laptop.AccessToken).GetFromJsonAsync("/api/v1/auth/devices", SyncJsonContext.Default.DeviceList);
        Assert.Equal("dev_laptop", Assert.Single(devices!.Devices).DeviceId);
    }

    [Fact]
    public async Task RevokingADevice_ClosesItsEventStreamAndSocket_AndItsTokensStopWorking()
    {
        var email = NewEmail();
        var phone = await SignupOnAsync(email, "dev_phone", "Sam's phone");
        var laptop = await LoginOnAsync(email, "dev_laptop");
        var laptopClient = Server.Client(laptop.AccessToken);

        var listed = (await laptopClient.GetFromJsonAsync("/api/v1/auth/devices", SyncJsonContext.Default.DeviceList))!.Devices;
        Assert.Equal(["dev_laptop", "dev_phone"], listed.Select(d => d.DeviceId).Order(StringComparer.Ordinal));
        var phoneInfo = listed.Single(d => d.DeviceId == "dev_phone");
        Assert.Equal("Sam's phone", phoneInfo.DeviceName);
        Assert.True(phoneInfo.LastSeenAt >= phoneInfo.CreatedAt);
        var raw = await laptopClient.GetStringAsync("/api/v1/auth/devices");
        Assert.Contains("\"last_seen_at\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"created_at\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"device_name\"", raw, StringComparison.Ordinal);

        using var phoneEvents = await OpenEventsAsync(Server.Client(phone.AccessToken));
        using var laptopEvents = await OpenEventsAsync(laptopClient);
        using var phoneSocket = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/yjs/n1", phone.AccessToken);
        await phoneSocket.ExpectAsync([0, 0], Wait);

        var revoke = await laptopClient.DeleteAsync("/api/v1/auth/devices/dev_phone");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await Assert.ThrowsAsync<EndOfStreamException>(() => phoneEvents.NextAsync(Wait));
        Assert.Equal(4401, await phoneSocket.ClosedWithAsync(Wait));
        Assert.Equal(HttpStatusCode.Unauthorized, await PullStatusAsync(Server.Client(phone.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(phone.RefreshToken)).StatusCode);
        using (var refused = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/yjs/n1", phone.AccessToken))
        {
            Assert.Equal(4401, await refused.ClosedWithAsync(Wait));
        }

        // The laptop's stream is still open: a push of its own reaches it.
        await PushOk(laptopClient, PushJson("dev_laptop", ChangeJson("cnt_1")));
        Assert.Equal("changes", (await laptopEvents.NextAsync(Wait)).Name);

        var unknown = await laptopClient.DeleteAsync("/api/v1/auth/devices/dev_phone");
        Assert.Equal(ErrorCodes.NotFound, (await ErrorOf(unknown, HttpStatusCode.NotFound)).Code);
        var otherUser = await Server.SignupAsync();
        var foreign = await Server.Client(otherUser.AccessToken).DeleteAsync("/api/v1/auth/devices/dev_laptop");
        Assert.Equal(ErrorCodes.NotFound, (await ErrorOf(foreign, HttpStatusCode.NotFound)).Code);
        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(laptopClient));
    }

    [Fact]
    public async Task ChangingThePassword_RevokesEveryOtherDevice()
    {
        var email = NewEmail();
        var phone = await SignupOnAsync(email, "dev_phone");
        var laptop = await LoginOnAsync(email, "dev_laptop");
        var tablet = await LoginOnAsync(email, "dev_tablet");
        var laptopClient = Server.Client(laptop.AccessToken);

        var wrong = await laptopClient.PostAsync("/api/v1/auth/password", JsonBody("""{"current_password":"not it at all","new_password":"a brand new one"}"""));
        Assert.Equal(ErrorCodes.InvalidCredentials, (await ErrorOf(wrong, HttpStatusCode.Forbidden)).Code);
        var weak = await laptopClient.PostAsync("/api/v1/auth/password", JsonBody($$"""{"current_password":"{{Password}}","new_password":"short"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(weak, HttpStatusCode.BadRequest)).Code);
        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(Server.Client(phone.AccessToken)));

        var changed = await laptopClient.PostAsync("/api/v1/auth/password", JsonBody($$"""{"current_password":"{{Password}}","new_password":"a brand new one"}"""));
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(laptopClient));
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(laptop.RefreshToken)).StatusCode);
        foreach (var other in new[] { phone, tablet })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PullStatusAsync(Server.Client(other.AccessToken)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(other.RefreshToken)).StatusCode);
        }

        var old = await Server.Client().PostAsync("/api/v1/auth/login", JsonBody($$"""{"email":"{{email}}","password":"{{Password}}"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        await LoginOnAsync(email, "dev_phone", "a brand new one");
    }

    [Fact]
    public async Task Export_HoldsEntitiesConflictsAndNoteBodies_AndReadsBack()
    {
        var auth = await SignupOnAsync(NewEmail(), "dev_a");
        var client = Server.Client(auth.AccessToken);
        await PushOk(client, PushJson("dev_a", ChangeJson("cnt_123", """{"name":"Sarah"}""", version: 5) + "," + ChangeJson("tsk_1", """{"title":"Call"}""", type: "task")));
        await PushOk(client, PushJson("dev_b", ChangeJson("cnt_123", """{"name":"Sarah Williams"}""", op: "update", version: 6, baseVersion: 5)
            .Replace("10:30", "10:35", StringComparison.Ordinal)));
        var conflicted = await PushOk(client, PushJson("dev_a", ChangeJson("cnt_123", """{"name":"Sarah Chen"}""", op: "update", version: 6, baseVersion: 5)));
        var conflictId = Assert.Single(conflicted.Conflicts).ConflictId;

        var doc = new YDoc(new YDocOptions { ClientId = 9 });
        doc.GetText("body").Insert(0, "Met at the fair.");
        // A note id that is no file name: the archive names its file by number and maps it in the index.
        const string noteId = "../notes:1";
        (await client.PostAsJsonAsync("/api/v1/notes/" + Uri.EscapeDataString(noteId) + "/sync", new DocumentSyncRequest { YjsUpdates = doc.EncodeStateAsUpdate() },
            SyncJsonContext.Default.DocumentSyncRequest)).EnsureSuccessStatusCode();

        var response = await client.GetAsync("/api/v1/account/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/gzip", response.Content.Headers.ContentType?.MediaType);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        {
            var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync(copyData: true) is { } entry)
            {
                var content = new MemoryStream();
                if (entry.DataStream is not null)
                {
                    await entry.DataStream.CopyToAsync(content);
                }

                files[entry.Name] = content.ToArray();
            }
        }

        Assert.Contains("framelord-export/README.txt", files.Keys);
        var account = JsonDocument.Parse(files["framelord-export/account.json"]).RootElement;
        Assert.Equal(auth.UserId, account.GetProperty("user_id").GetString());
        Assert.Equal(auth.ContactZeroId, account.GetProperty("contact_zero_id").GetString());
        Assert.Contains("dev_a", Encoding.UTF8.GetString(files["framelord-export/devices.jsonl"]), StringComparison.Ordinal);
        Assert.DoesNotContain(auth.RefreshToken!, string.Concat(files.Values.Select(Encoding.UTF8.GetString)), StringComparison.Ordinal);

        var entities = Lines(files, "framelord-export/entities/").Select(l => JsonSerializer.Deserialize(l, SyncJsonContext.Default.PulledChange)!).ToList();
        Assert.Equal(["cnt_123", "tsk_1"], entities.Select(e => e.EntityId).Order(StringComparer.Ordinal));
        Assert.Equal("Sarah Williams", entities.Single(e => e.EntityId == "cnt_123").Data.GetProperty("name").GetString());

        var conflicts = Lines(files, "framelord-export/conflicts/").Select(l => JsonSerializer.Deserialize(l, SyncJsonContext.Default.Conflict)!).ToList();
        Assert.Equal(conflictId, Assert.Single(conflicts).ConflictId);
        var listed = Assert.Single((await client.GetFromJsonAsync("/api/v1/sync/conflicts?status=all", SyncJsonContext.Default.ConflictList))!.Conflicts);
        Assert.Equal(listed.Status, conflicts[0].Status);
        Assert.Equal(listed.EntityId, conflicts[0].EntityId);

        var index = JsonDocument.Parse(Assert.Single(Lines(files, "framelord-export/notes/index.jsonl"))).RootElement;
        Assert.Equal(noteId, index.GetProperty("note_id").GetString());
        var body = files["framelord-export/" + index.GetProperty("file").GetString()];
        var restored = new YDoc(new YDocOptions { ClientId = 10 });
        restored.ApplyUpdate(body);
        Assert.Equal("Met at the fair.", restored.GetText("body").ToString());

        // Another user's export holds nothing of this one.
        var other = await Server.SignupAsync();
        var otherExport = await Server.Client(other.AccessToken).GetByteArrayAsync("/api/v1/account/export");
        Assert.True(otherExport.Length > 0);
    }

    private static IEnumerable<string> Lines(Dictionary<string, byte[]> files, string prefix) =>
        files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal)
            .SelectMany(f => Encoding.UTF8.GetString(f.Value).Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task DeletingTheAccount_LeavesNoRowOfIt_AndItsTokensAre401OnEveryRoute()
    {
        var email = NewEmail();
        var auth = await SignupOnAsync(email, "dev_a");
        var client = Server.Client(auth.AccessToken);
        var bystander = await Server.SignupAsync();
        var bystanderClient = Server.Client(bystander.AccessToken);
        foreach (var (who, c) in new[] { (auth, client), (bystander, bystanderClient) })
        {
            await PushOk(c, PushJson("dev_a", ChangeJson("cnt_1", """{"name":"A"}""", version: 5)));
            await PushOk(c, PushJson("dev_b", ChangeJson("cnt_1", """{"name":"B"}""", op: "update", version: 6, baseVersion: 5).Replace("10:30", "10:35", StringComparison.Ordinal)));
            await PushOk(c, PushJson("dev_a", ChangeJson("cnt_1", """{"name":"C"}""", op: "update", version: 6, baseVersion: 5)));
            var doc = new YDoc(new YDocOptions { ClientId = 3 });
            doc.GetText("t").Insert(0, "body of " + who.UserId);
            (await c.PostAsJsonAsync("/api/v1/notes/n1/sync", new DocumentSyncRequest { YjsUpdates = doc.EncodeStateAsUpdate() },
                SyncJsonContext.Default.DocumentSyncRequest)).EnsureSuccessStatusCode();
        }

        var before = await Server.Database.RowsPerTableAsync(auth.UserId);
        var bystanderBefore = await Server.Database.RowsPerTableAsync(bystander.UserId);
        foreach (var table in new[] { "users", "entities", "conflicts", "applied_changes", "documents", "document_updates", "devices", "refresh_tokens" })
        {
            Assert.True(before[table] > 0, $"{table} should hold rows of the user before");
        }

        using var events = await OpenEventsAsync(client);
        using var socket = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/yjs/n1", auth.AccessToken);
        await socket.ExpectAsync([0, 0], Wait);

        using var wrong = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/account") { Content = JsonBody("""{"password":"not the password"}""") };
        Assert.Equal(ErrorCodes.InvalidCredentials, (await ErrorOf(await client.SendAsync(wrong), HttpStatusCode.Forbidden)).Code);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/account") { Content = JsonBody($$"""{"password":"{{Password}}"}""") };
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(delete)).StatusCode);

        Assert.All(await Server.Database.RowsPerTableAsync(auth.UserId), t => Assert.True(t.Value == 0, $"{t.Key} still holds {t.Value} rows"));
        Assert.Equal(bystanderBefore, await Server.Database.RowsPerTableAsync(bystander.UserId));

        await Assert.ThrowsAsync<EndOfStreamException>(() => events.NextAsync(Wait));
        Assert.Equal(4401, await socket.ClosedWithAsync(Wait));
        await AssertEveryRouteRefusesAsync(auth);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client().PostAsync("/api/v1/auth/login", JsonBody($$"""{"email":"{{email}}","password":"{{Password}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await PullStatusAsync(bystanderClient));
    }

    [Fact]
    public async Task AUserWhoseRowIsGone_Gets401OnEveryAuthenticatedRoute()
    {
        // The row removed behind the server's back (an operator's delete): every route answers 401 all the same.
        var auth = await SignupOnAsync(NewEmail(), "dev_a");
        await Server.Database.ExecuteAsync("DELETE FROM users WHERE user_id = @u", auth.UserId);
        await AssertEveryRouteRefusesAsync(auth);
    }

    private async Task AssertEveryRouteRefusesAsync(AuthResponse auth)
    {
        var client = Server.Client(auth.AccessToken);
        var requests = new List<(string Name, Func<Task<HttpResponseMessage>> Send)>
        {
            ("push", () => client.PostAsync("/api/v1/sync/push", JsonBody(PushJson("dev_a", ChangeJson("cnt_9"))))),
            ("pull", () => client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"d","schema_version":"1"}"""))),
            ("conflicts", () => client.GetAsync("/api/v1/sync/conflicts")),
            ("resolve", () => client.PostAsync("/api/v1/sync/conflicts/cfl_x/resolve", JsonBody("""{"choice":"keep_local","device_id":"d"}"""))),
            ("note sync", () => client.PostAsync("/api/v1/notes/n1/sync", JsonBody("{}"))),
            ("events", () => client.GetAsync("/api/v1/sync/events", HttpCompletionOption.ResponseHeadersRead)),
            ("devices", () => client.GetAsync("/api/v1/auth/devices")),
            ("export", () => client.GetAsync("/api/v1/account/export")),
            ("logout", () => client.PostAsync("/api/v1/auth/logout", null)),
            ("refresh", () => RefreshAsync(auth.RefreshToken)),
        };
        foreach (var (name, send) in requests)
        {
            using var response = await send();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {(int)response.StatusCode}");
        }

        using var socket = await RawYjsSocket.ConnectAsync(Server.BaseAddress, "/api/v1/yjs/n1", auth.AccessToken);
        Assert.Equal(4401, await socket.ClosedWithAsync(Wait));
    }
}
