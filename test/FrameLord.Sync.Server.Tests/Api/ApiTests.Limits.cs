using System.Net;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>Text PostgreSQL cannot store, tokens of deleted accounts, and the conflicts listing's query: each answered as the contract says.</summary>
public abstract partial class ApiTests
{
    public static TheoryData<string, string> ControlCharacterSignups => new()
    {
        { "NUL in the email", """{"email":"a\u0000b@example.com","password":"long enough","display_name":"Sam"}""" },
        { "NUL in the display name", """{"email":"nul@example.com","password":"long enough","display_name":"Sa\u0000m"}""" },
        { "a bell in the display name", """{"email":"bell@example.com","password":"long enough","display_name":"Sa\u0007m"}""" },
        { "NUL in the password", """{"email":"pw@example.com","password":"long\u0000enough","display_name":"Sam"}""" },
        { "a C1 control in the email", """{"email":"c1\u0085@example.com","password":"long enough","display_name":"Sam"}""" },
    };

    [Theory]
    [MemberData(nameof(ControlCharacterSignups))]
    public async Task Signup_WithControlCharacters_Is400(string what, string body)
    {
        var response = await Server.Client().PostAsync("/api/v1/auth/signup", JsonBody(body));
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.True(error.Code == ErrorCodes.ValidationFailed, what);
    }

    [Fact]
    public async Task Login_WithANulInTheEmail_Is401_NotAStoreError()
    {
        var response = await Server.Client().PostAsync("/api/v1/auth/login", JsonBody("""{"email":"a\u0000b@example.com","password":"long enough"}"""));
        Assert.Equal(ErrorCodes.InvalidCredentials, (await ErrorOf(response, HttpStatusCode.Unauthorized)).Code);
    }

    [Fact]
    public async Task NulInIds_IsAValidationFailure_AndNulInsideJsonRoundTrips()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var badDevice = await client.PostAsync("/api/v1/sync/push", JsonBody(PushJson("dev\\u0000a", ChangeJson("cnt_1"))));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(badDevice, HttpStatusCode.BadRequest)).Code);

        var pushed = await PushOk(client, PushJson("dev_a", string.Join(",",
            ChangeJson("cnt\\u0000x"),
            ChangeJson("cnt_2", changeId: "chg\\u0000y"),
            ChangeJson("cnt_3", """{"name":"a\u0000b","tags":["\u0000"],"k\u0000":1}"""))));
        Assert.Equal(2, pushed.Failed.Count);
        Assert.All(pushed.Failed, f => Assert.Equal(ErrorCodes.ValidationFailed, f.Error.Code));
        var stored = Assert.Single((await PullOk(client)).Changes);
        Assert.Equal("a\0b", stored.Data.GetProperty("name").GetString());

        var pull = await client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"d\u0000","schema_version":"1"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(pull, HttpStatusCode.BadRequest)).Code);
        // A NUL in a path never reaches the application: the HTTP server refuses the request line with a bare 400.
        var note = await client.PostAsync("/api/v1/notes/n%00x/sync", JsonBody("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, note.StatusCode);
        var resolve = await client.PostAsync("/api/v1/sync/conflicts/c%00x/resolve", JsonBody("""{"choice":"keep_local","device_id":"d"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, resolve.StatusCode);
        var control = await client.PostAsync("/api/v1/notes/n%07x/sync", JsonBody("{}"));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(control, HttpStatusCode.BadRequest)).Code);
        var resolveDevice = await client.PostAsync("/api/v1/sync/conflicts/cfl_x/resolve", JsonBody("""{"choice":"keep_local","device_id":"d\u0000"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(resolveDevice, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task ATokenWhoseUserWasDeleted_Is401_OnPushAndPull()
    {
        var account = await Server.SignupAsync();
        var client = Server.Client(account.AccessToken);
        await PushOk(client, PushJson("dev_a", ChangeJson("cnt_1")));
        await Db.ExecuteAsync("DELETE FROM users WHERE user_id = @u", account.UserId);

        var push = await client.PostAsync("/api/v1/sync/push", JsonBody(PushJson("dev_a", ChangeJson("cnt_2"))));
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(push, HttpStatusCode.Unauthorized)).Code);
        var pull = await client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"dev_a","schema_version":"1"}"""));
        Assert.Equal(ErrorCodes.Unauthorized, (await ErrorOf(pull, HttpStatusCode.Unauthorized)).Code);
    }

    [Fact]
    public async Task ConflictsListing_PagesOverHttp_AndRefusesABadLimitOrCursor()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        await PushOk(client, PushJson("dev_b", string.Join(",", Enumerable.Range(0, 5).Select(i => ChangeJson($"cnt_{i}", """{"name":"b"}""")))));
        await PushOk(client, PushJson("dev_b", string.Join(",", Enumerable.Range(0, 5).Select(i =>
            ChangeJson($"cnt_{i}", """{"name":"B"}""", op: "update", version: 2, baseVersion: 1)))));
        var conflicts = await PushOk(client, PushJson("dev_a", string.Join(",", Enumerable.Range(0, 5).Select(i =>
            ChangeJson($"cnt_{i}", """{"name":"A"}""", op: "update", version: 2, baseVersion: 1).Replace("10:30", "10:20", StringComparison.Ordinal)))));
        Assert.Equal(5, conflicts.Conflicts.Count);

        var ids = new List<string>();
        string? cursor = null;
        while (true)
        {
            var path = "/api/v1/sync/conflicts?status=all&limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var text = await (await client.GetAsync(path)).Content.ReadAsStringAsync();
            using (var raw = JsonDocument.Parse(text))
            {
                Assert.True(raw.RootElement.TryGetProperty("has_more", out _), text);
            }

            var page = JsonSerializer.Deserialize(text, SyncJsonContext.Default.ConflictList)!;
            Assert.True(page.Conflicts.Count <= 2);
            ids.AddRange(page.Conflicts.Select(c => c.ConflictId));
            if (!page.HasMore)
            {
                break;
            }

            cursor = page.Cursor;
        }

        Assert.Equal(conflicts.Conflicts.Select(c => c.ConflictId).Order(), ids.Order());
        foreach (var bad in new[] { "limit=abc", "limit=-1", "limit=0", "limit=99999999999", "cursor=%00", "cursor=AAAA", "cursor=A", "cursor=" + new string('A', 3000) })
        {
            var response = await client.GetAsync("/api/v1/sync/conflicts?" + bad);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && text.Contains(ErrorCodes.ValidationFailed, StringComparison.Ordinal),
                $"{bad}: {(int)response.StatusCode} {text}");
        }
    }
}
