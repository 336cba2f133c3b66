using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>
/// The bytes of the wire contract as the endpoints answer them: every route that reads a body refuses a
/// bad, oversized, non-JSON or wrongly encoded one with the same status, code and message, and takes a
/// gzip one; every JSON answer is exactly what the contract's source-generated context writes for it.
/// </summary>
public sealed class WireContractTests : IAsyncLifetime
{
    /// <summary>Small, so an oversized body stays cheap; the auth routes' own 16 KiB limit is below it.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private const string Password = "correct horse battery";

    private const string JsonUtf8 = "application/json; charset=utf-8";

    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:MaxRequestBodyBytes"] = $"{MaxBodyBytes}" });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Every route that reads a body, with a body it accepts and the route's limit.</summary>
    private async Task<IReadOnlyList<(HttpMethod Method, string Path, string? Token, string Valid, int Limit)>> BodyRoutesAsync()
    {
        var auth = await _server.SignupAsync();
        var token = auth.AccessToken;
        var email = $"wire-{Guid.NewGuid():N}@example.com";
        return
        [
            (HttpMethod.Post, "/api/v1/auth/signup", null, $$"""{"email":"{{email}}","password":"{{Password}}","display_name":"Sam"}""", 16 * 1024),
            (HttpMethod.Post, "/api/v1/auth/login", null, $$"""{"email":"{{email}}","password":"{{Password}}"}""", 16 * 1024),
            (HttpMethod.Post, "/api/v1/auth/refresh", null, $$"""{"refresh_token":"{{auth.RefreshToken}}"}""", 16 * 1024),
            (HttpMethod.Post, "/api/v1/auth/password", token, $$"""{"current_password":"wrong password","new_password":"{{Password}} 2"}""", 16 * 1024),
            (HttpMethod.Delete, "/api/v1/account", token, """{"password":"wrong password"}""", 16 * 1024),
            (HttpMethod.Post, "/api/v1/sync/push", token, """{"device_id":"d","schema_version":"1","changes":[]}""", MaxBodyBytes),
            (HttpMethod.Post, "/api/v1/sync/pull", token, """{"device_id":"d","schema_version":"1"}""", MaxBodyBytes),
            (HttpMethod.Post, "/api/v1/sync/conflicts/cfl_none/resolve", token, """{"choice":"keep_local","device_id":"d"}""", MaxBodyBytes),
            (HttpMethod.Post, "/api/v1/notes/n1/sync", token, "{}", MaxBodyBytes),
        ];
    }

    private HttpClient Client(string? token) => _server.Client(token);

    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent content, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text;
    }

    private static string Error(string code, string message) =>
        JsonSerializer.Serialize(new ErrorEnvelope(new ErrorBody { Code = code, Message = message }), SyncJsonContext.Default.ErrorEnvelope);

    [Fact]
    public async Task EveryBodyRoute_RefusesEmptyNullMalformedAndNonObjectBodies_With400InTheSameBytes()
    {
        foreach (var (method, path, token, _, _) in await BodyRoutesAsync())
        {
            var client = Client(token);
            Assert.Equal(Error(ErrorCodes.ValidationFailed, "The body is empty; a JSON object is required."),
                await SendAsync(client, method, path, Json(""), HttpStatusCode.BadRequest));
            Assert.Equal(Error(ErrorCodes.ValidationFailed, "The body must be a JSON object."),
                await SendAsync(client, method, path, Json("null"), HttpStatusCode.BadRequest));
            foreach (var bad in new[] { """{"a":""", """{"a":1}}""", "{,}", "[1,2]", "\"text\"" })
            {
                var envelope = JsonSerializer.Deserialize(await SendAsync(client, method, path, Json(bad), HttpStatusCode.BadRequest), SyncJsonContext.Default.ErrorEnvelope)!;
                Assert.Equal(ErrorCodes.ValidationFailed, envelope.Error.Code);
            }
        }
    }

    [Fact]
    public async Task EveryBodyRoute_RefusesABodyOverItsLimit_With413_AnnouncedOrChunked()
    {
        foreach (var (method, path, token, _, limit) in await BodyRoutesAsync())
        {
            var client = Client(token);
            var expected = Error(ErrorCodes.PayloadTooLarge, $"The request body is over the {limit}-byte limit.");
            var oversized = "{\"pad\":\"" + new string('x', limit) + "\"}";
            Assert.Equal(expected, await SendAsync(client, method, path, Json(oversized), HttpStatusCode.RequestEntityTooLarge));

            // Without Content-Length the bytes are counted as they arrive.
            Assert.Equal(expected, await SendAsync(client, method, path, new ChunkedJson(oversized), HttpStatusCode.RequestEntityTooLarge));

            // And after gzip is undone: a small compressed body that inflates past the limit.
            var bomb = Gzip(oversized);
            Assert.True(bomb.Headers.ContentLength < limit / 4, $"{bomb.Headers.ContentLength} bytes compressed");
            Assert.Equal(expected, await SendAsync(client, method, path, bomb, HttpStatusCode.RequestEntityTooLarge));
        }
    }

    [Fact]
    public async Task EveryBodyRoute_Refuses415_ForAnotherMediaTypeOrAnUnknownEncoding_AndTakesGzip()
    {
        foreach (var (method, path, token, valid, _) in await BodyRoutesAsync())
        {
            var client = Client(token);
            Assert.Equal(Error(ErrorCodes.UnsupportedMediaType, "Bodies are JSON (application/json)."),
                await SendAsync(client, method, path, new StringContent(valid, Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType));

            var compressed = Json(valid);
            compressed.Headers.ContentEncoding.Add("compress");
            Assert.Equal(Error(ErrorCodes.UnsupportedMediaType, "Only gzip-encoded bodies are accepted."),
                await SendAsync(client, method, path, compressed, HttpStatusCode.UnsupportedMediaType));

            Assert.Equal(Error(ErrorCodes.ValidationFailed, "The body is not valid gzip."),
                await SendAsync(client, method, path, BrokenGzip(), HttpStatusCode.BadRequest));

            // Gzip gets past the reading: whatever the route then answers, it is not a body error.
            using var request = new HttpRequestMessage(method, path) { Content = Gzip(valid) };
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is not (400 or 413 or 415), $"{method} {path}: gzip body answered {(int)response.StatusCode}: {text}");
        }
    }

    [Fact]
    public async Task EveryJsonAnswer_IsWhatTheWireContextWrites_ByteForByte()
    {
        var anonymous = Client(null);
        var email = $"bytes-{Guid.NewGuid():N}@example.com";
        var signup = await AnswerAsync(anonymous, HttpMethod.Post, "/api/v1/auth/signup",
            $$"""{"email":"{{email}}","password":"{{Password}}","display_name":"Zoë <&> + 'q'","device_id":"dev_a"}""",
            SyncJsonContext.Default.AuthResponse, HttpStatusCode.Created);
        var login = await AnswerAsync(anonymous, HttpMethod.Post, "/api/v1/auth/login",
            $$"""{"email":"{{email}}","password":"{{Password}}","device_id":"dev_b","device_name":"Zoë's <laptop> + \"q\""}""",
            SyncJsonContext.Default.AuthResponse, HttpStatusCode.OK);
        await AnswerAsync(anonymous, HttpMethod.Post, "/api/v1/auth/refresh", $$"""{"refresh_token":"{{signup.RefreshToken}}"}""",
            SyncJsonContext.Default.AuthResponse, HttpStatusCode.OK);

        var a = Client(login.AccessToken);
        await AnswerAsync(a, HttpMethod.Get, "/api/v1/auth/devices", null, SyncJsonContext.Default.DeviceList, HttpStatusCode.OK);

        // Text the default encoder escapes and a relaxed one would not, nulls, nested data, a conflict.
        const string Data = """{"name":"Zoë <b>&amp;</b> + 'x' \u2028 \ud83d\ude00","email":null,"tags":["a+b",1.50,{"deep":[true,false,null]}]}""";
        var first = await AnswerAsync(a, HttpMethod.Post, "/api/v1/sync/push", Push("dev_a", "cnt_1", Data, 1, 0), SyncJsonContext.Default.PushResponse, HttpStatusCode.OK);
        Assert.Empty(first.Failed);
        var pushed = await AnswerAsync(a, HttpMethod.Post, "/api/v1/sync/push", Push("dev_b", "cnt_1", """{"name":"Other <name>"}""", 1, 0),
            SyncJsonContext.Default.PushResponse, HttpStatusCode.OK);
        var conflict = Assert.Single(pushed.Conflicts);
        await AnswerAsync(a, HttpMethod.Post, "/api/v1/sync/pull", """{"device_id":"dev_a","schema_version":"1"}""",
            SyncJsonContext.Default.PullResponse, HttpStatusCode.OK);
        await AnswerAsync(a, HttpMethod.Get, "/api/v1/sync/conflicts?status=all", null, SyncJsonContext.Default.ConflictList, HttpStatusCode.OK);
        await AnswerAsync(a, HttpMethod.Post, $"/api/v1/sync/conflicts/{conflict.ConflictId}/resolve",
            """{"choice":"merged","data":{"name":"Zoë + \"both\""},"device_id":"dev_a"}""", SyncJsonContext.Default.ResolveConflictResponse, HttpStatusCode.OK);

        var doc = new YDoc(new YDocOptions { ClientId = 7 });
        doc.GetText("t").Insert(0, "Zoë <+> ünïcödé");
        await AnswerAsync(a, HttpMethod.Post, "/api/v1/notes/n1/sync", $$"""{"yjs_updates":"{{Convert.ToBase64String(doc.EncodeStateAsUpdate())}}"}""",
            SyncJsonContext.Default.DocumentSyncResponse, HttpStatusCode.OK);
        await AnswerAsync(a, HttpMethod.Post, "/api/v1/notes/n1/sync", "{}", SyncJsonContext.Default.DocumentSyncResponse, HttpStatusCode.OK);
    }

    /// <summary>
    /// Sends a request and checks its JSON answer is the bytes the wire context writes for the value it
    /// holds: re-serialized with <see cref="SyncJsonContext.Default"/>, it comes out the same. Names in
    /// another case, nulls the context leaves out, another escaping or indentation would all differ.
    /// </summary>
    private static async Task<T> AnswerAsync<T>(HttpClient client, HttpMethod method, string path, string? body, JsonTypeInfo<T> type, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);
        Assert.True(status == response.StatusCode, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(JsonUtf8, response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Headers.Location);
        var value = JsonSerializer.Deserialize(bytes, type)!;
        Assert.Equal(text, Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, type)));
        return value;
    }

    private static string Push(string device, string id, string data, int version, int baseVersion) =>
        $$"""{"device_id":"{{device}}","schema_version":"1","changes":[{"change_id":"{{Guid.NewGuid():N}}","entity_type":"contact","entity_id":"{{id}}","operation":"update","data":{{data}},"client_timestamp":"2025-12-05T10:30:00Z","sync_version":{{version}},"base_version":{{baseVersion}}}]}""";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static ByteArrayContent Gzip(string json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private static ByteArrayContent BrokenGzip()
    {
        var content = new ByteArrayContent([1, 2, 3, 4, 5, 6, 7, 8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    /// <summary>JSON sent without a Content-Length (chunked): the server learns its size only by reading it.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedJson(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
