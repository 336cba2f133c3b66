using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>The HTTP contract (DESIGN 3) against the real server on a loopback port, once per backend.</summary>
public abstract partial class ApiTests(Backend backend) : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = null!;

    protected TestServer Server { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async ValueTask InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync(backend);
        Server = await TestServer.StartAsync(Db, Settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    protected static async Task<ErrorBody> ErrorOf(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var envelope = JsonSerializer.Deserialize(text, SyncJsonContext.Default.ErrorEnvelope);
        Assert.NotNull(envelope);
        Assert.False(string.IsNullOrEmpty(envelope.Error.Code));
        Assert.False(string.IsNullOrEmpty(envelope.Error.Message));
        return envelope.Error;
    }

    protected static string PushJson(string device, string changes) =>
        $$"""{"device_id":"{{device}}","schema_version":"1","changes":[{{changes}}]}""";

    protected static string ChangeJson(string id, string data = """{"name":"x"}""", string type = "contact", string op = "create",
        int version = 1, int baseVersion = 0, string? changeId = null) =>
        $$"""{"change_id":"{{changeId ?? Guid.NewGuid().ToString("N")}}","entity_type":"{{type}}","entity_id":"{{id}}","operation":"{{op}}","data":{{data}},"client_timestamp":"2025-12-05T10:30:00Z","sync_version":{{version}},"base_version":{{baseVersion}}}""";

    protected static async Task<PushResponse> PushOk(HttpClient client, string body)
    {
        var response = await client.PostAsync("/api/v1/sync/push", JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize(text, SyncJsonContext.Default.PushResponse)!;
    }

    protected static async Task<PullResponse> PullOk(HttpClient client, string? cursor = null)
    {
        var request = new PullRequest { DeviceId = "dev_reader", SchemaVersion = "1", Cursor = cursor };
        var response = await client.PostAsJsonAsync("/api/v1/sync/pull", request, SyncJsonContext.Default.PullRequest);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize(text, SyncJsonContext.Default.PullResponse)!;
    }

    [Fact]
    public async Task Healthz_Is200_WithoutAToken()
    {
        var response = await Server.Client().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Db.Storage.Provider, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signup_Login_AndTheirErrors()
    {
        var client = Server.Client();
        var signup = await client.PostAsync("/api/v1/auth/signup", JsonBody("""{"email":"Sam@Example.com","password":"long enough","display_name":"Sam"}"""));
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var created = (await signup.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
        Assert.StartsWith("usr_", created.UserId, StringComparison.Ordinal);
        Assert.StartsWith("cnt_", created.ContactZeroId, StringComparison.Ordinal);
        Assert.Equal("Bearer", created.TokenType);
        Assert.True(created.ExpiresIn > 0);

        var taken = await client.PostAsync("/api/v1/auth/signup", JsonBody("""{"email":"sam@example.com ","password":"another one","display_name":"Sam"}"""));
        Assert.Equal(ErrorCodes.EmailTaken, (await ErrorOf(taken, HttpStatusCode.Conflict)).Code);

        var login = await client.PostAsync("/api/v1/auth/login", JsonBody("""{"email":"SAM@example.com","password":"long enough"}"""));
        var loggedIn = (await login.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
        Assert.Equal(created.UserId, loggedIn.UserId);
        Assert.Equal(created.ContactZeroId, loggedIn.ContactZeroId);

        var wrong = await client.PostAsync("/api/v1/auth/login", JsonBody("""{"email":"sam@example.com","password":"wrong password"}"""));
        Assert.Equal(ErrorCodes.InvalidCredentials, (await ErrorOf(wrong, HttpStatusCode.Unauthorized)).Code);
        var unknown = await client.PostAsync("/api/v1/auth/login", JsonBody("""{"email":"nobody@example.com","password":"wrong password"}"""));
        Assert.Equal(ErrorCodes.InvalidCredentials, (await ErrorOf(unknown, HttpStatusCode.Unauthorized)).Code);

        foreach (var bad in new[]
        {
            """{"email":"not-an-email","password":"long enough"}""",
            """{"email":"a@b.c","password":"short"}""",
            """{"password":"long enough"}""",
            """{"email":5,"password":"long enough"}""",
        })
        {
            var response = await client.PostAsync("/api/v1/auth/signup", JsonBody(bad));
            Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(response, HttpStatusCode.BadRequest)).Code);
        }
    }

    [Fact]
    public async Task ContactZero_IsNeverPulled_AndRefusedOnPush()
    {
        var auth = await Server.SignupAsync();
        var client = Server.Client(auth.AccessToken);
        Assert.Empty((await PullOk(client)).Changes);
        var pushed = await PushOk(client, PushJson("dev_a", ChangeJson(auth.ContactZeroId) + "," + ChangeJson("cnt_other")));
        Assert.Equal(ErrorCodes.ContactZeroNotSyncable, Assert.Single(pushed.Failed).Error.Code);
        Assert.Equal("cnt_other", Assert.Single((await PullOk(client)).Changes).EntityId);
    }

    [Fact]
    public async Task PushAndPull_RoundTripOverHttp_WithConflictsInTheResponse()
    {
        var auth = await Server.SignupAsync();
        var client = Server.Client(auth.AccessToken);
        await PushOk(client, PushJson("dev_a", ChangeJson("cnt_123", """{"name":"Sarah"}""", version: 5)));
        await PushOk(client, PushJson("dev_b", ChangeJson("cnt_123", """{"name":"Sarah Williams"}""", op: "update", version: 6, baseVersion: 5)
            .Replace("10:30", "10:35", StringComparison.Ordinal)));
        var response = await PushOk(client, PushJson("dev_a", ChangeJson("cnt_123", """{"name":"Sarah Chen"}""", op: "update", version: 6, baseVersion: 5)));

        var conflict = Assert.Single(response.Conflicts);
        Assert.Equal(ConflictResolutions.RemoteWon, conflict.Resolution);
        Assert.Equal(7, Assert.Single(response.Successful).SyncVersion);
        var pulled = Assert.Single((await PullOk(client)).Changes);
        Assert.Equal("Sarah Williams", pulled.Data.GetProperty("name").GetString());
        Assert.Equal(7, pulled.SyncVersion);

        var list = await client.GetFromJsonAsync("/api/v1/sync/conflicts?status=all", SyncJsonContext.Default.ConflictList);
        Assert.Equal(ConflictStatuses.AutoResolved, Assert.Single(list!.Conflicts).Status);
        var resolve = await client.PostAsync($"/api/v1/sync/conflicts/{conflict.ConflictId}/resolve",
            JsonBody("""{"choice":"keep_local","device_id":"dev_a"}"""));
        var resolved = (await resolve.Content.ReadFromJsonAsync(SyncJsonContext.Default.ResolveConflictResponse))!;
        Assert.Equal("Sarah Chen", resolved.Entity.GetProperty("name").GetString());
        Assert.Equal(8, resolved.SyncVersion);
    }

    [Fact]
    public async Task SchemaMismatch_Is426_WithRequiredVersion()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var push = await client.PostAsync("/api/v1/sync/push", JsonBody("""{"device_id":"d","schema_version":"0","changes":[]}"""));
        var error = await ErrorOf(push, HttpStatusCode.UpgradeRequired);
        Assert.Equal(ErrorCodes.SchemaMismatch, error.Code);
        Assert.Equal("1", error.RequiredVersion);
        var pull = await client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"d","schema_version":"2"}"""));
        Assert.Equal(ErrorCodes.SchemaMismatch, (await ErrorOf(pull, HttpStatusCode.UpgradeRequired)).Code);
    }

    [Fact]
    public async Task UnknownRoute_Is404_AndWrongMethod_Is405_InTheErrorShape()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        Assert.Equal(ErrorCodes.NotFound, (await ErrorOf(await client.GetAsync("/api/v1/nothing/here"), HttpStatusCode.NotFound)).Code);
        Assert.Equal(ErrorCodes.MethodNotAllowed, (await ErrorOf(await client.GetAsync("/api/v1/sync/push"), HttpStatusCode.MethodNotAllowed)).Code);
        var missing = await client.PostAsync("/api/v1/sync/conflicts/cfl_nope/resolve", JsonBody("""{"choice":"keep_local","device_id":"d"}"""));
        Assert.Equal(ErrorCodes.NotFound, (await ErrorOf(missing, HttpStatusCode.NotFound)).Code);
    }

    [Fact]
    public async Task Responses_AreCompressed_WhenTheClientAccepts()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var changes = string.Join(",", Enumerable.Range(0, 50).Select(i => ChangeJson($"cnt_{i}", """{"name":"A name that repeats and repeats"}""")));
        await PushOk(client, PushJson("dev_a", changes));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync/pull") { Content = JsonBody("""{"device_id":"d","schema_version":"1"}""") };
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
    }
}
