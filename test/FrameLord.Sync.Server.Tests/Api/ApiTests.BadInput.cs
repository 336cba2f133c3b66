using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Tests.Api;

public abstract partial class ApiTests
{
    public static TheoryData<string, string> BadBodies => new()
    {
        { "malformed json", """{"device_id":"d","schema_version":"1","changes":[""" },
        { "not an object", "[1,2,3]" },
        { "null body", "null" },
        { "empty body", "" },
        { "changes is a string", """{"device_id":"d","schema_version":"1","changes":"all of them"}""" },
        { "sync_version is a string", PushJson("d", ChangeJson("cnt_1").Replace("\"sync_version\":1", "\"sync_version\":\"1\"", StringComparison.Ordinal)) },
        { "bad timestamp", PushJson("d", ChangeJson("cnt_1").Replace("2025-12-05T10:30:00Z", "yesterday", StringComparison.Ordinal)) },
        { "missing device_id", """{"schema_version":"1","changes":[]}""" },
        { "missing change_id", PushJson("d", ChangeJson("cnt_1").Replace("\"change_id\"", "\"change\"", StringComparison.Ordinal)) },
        { "null change", PushJson("d", "null") },
        { "duplicate property", """{"device_id":"d","device_id":"e","schema_version":"1","changes":[]}""" },
        { "number overflow", PushJson("d", ChangeJson("cnt_1").Replace("\"sync_version\":1", "\"sync_version\":99999999999999999999999", StringComparison.Ordinal)) },
        { "1,001 changes", PushJson("d", string.Join(",", Enumerable.Range(0, 1001).Select(i => ChangeJson($"cnt_{i}")))) },
        { "nested 200 deep", PushJson("d", ChangeJson("cnt_1", string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200))) },
        { "empty device_id", """{"device_id":"","schema_version":"1","changes":[]}""" },
        { "lone surrogate in an id", PushJson("d", ChangeJson("cnt_\\ud800")) },
        { "lone surrogate in a field name", PushJson("d", ChangeJson("cnt_1", """{"tags":[{"\udc00":1}]}""")) },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadPushBodies_Are400_InTheErrorShape_AndStoreNothing(string what, string body)
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var response = await client.PostAsync("/api/v1/sync/push", JsonBody(body));
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.True(error.Code == ErrorCodes.ValidationFailed, what);
        Assert.Empty((await PullOk(client)).Changes);
    }

    [Fact]
    public async Task TextThatIsNotUtf16InData_FailsThatChangeOnly()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var pushed = await PushOk(client, PushJson("d", ChangeJson("cnt_bad", """{"name":"\ud800"}""") + "," +
            ChangeJson("cnt_bad2", """{"tags":["ok", {"a":"\udc00"}]}""") + "," + ChangeJson("cnt_ok")));
        Assert.Equal([ErrorCodes.ValidationFailed, ErrorCodes.ValidationFailed], pushed.Failed.Select(f => f.Error.Code));
        Assert.Equal("cnt_ok", Assert.Single((await PullOk(client)).Changes).EntityId);
    }

    [Fact]
    public async Task AnElevenMebibyteBody_Is413_AndStoresNothing()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var filler = new string('x', 11 * 1024 * 1024);
        // With Expect: 100-continue the server refuses on the declared length before any of the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync/push")
        {
            Content = JsonBody(PushJson("d", ChangeJson("cnt_1", $$"""{"name":"{{filler}}"}"""))),
        };
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        Assert.Equal(ErrorCodes.PayloadTooLarge, (await ErrorOf(response, HttpStatusCode.RequestEntityTooLarge)).Code);
        Assert.Empty((await PullOk(client)).Changes);
    }

    [Fact]
    public async Task A300KibEntity_FailsWithEntityTooLarge_WhileTheRestApplies()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var filler = new string('x', 300 * 1024);
        var pushed = await PushOk(client, PushJson("d", ChangeJson("cnt_big", $$"""{"name":"{{filler}}"}""") + "," + ChangeJson("cnt_ok")));
        Assert.Equal(ErrorCodes.EntityTooLarge, Assert.Single(pushed.Failed).Error.Code);
        Assert.Equal("cnt_ok", Assert.Single((await PullOk(client)).Changes).EntityId);
    }

    private static ByteArrayContent Gzipped(string json)
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

    [Fact]
    public async Task GzipRequestBodies_AreAccepted()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var response = await client.PostAsync("/api/v1/sync/push", Gzipped(PushJson("d", ChangeJson("cnt_gz"))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cnt_gz", Assert.Single((await PullOk(client)).Changes).EntityId);
    }

    [Fact]
    public async Task AGzipBombOverTheLimitAfterDecompression_Is413_AndBadGzipIs400()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var bomb = PushJson("d", ChangeJson("cnt_1", $$"""{"name":"{{new string('a', 12 * 1024 * 1024)}}"}"""));
        var content = Gzipped(bomb);
        Assert.True(content.Headers.ContentLength < 100_000, $"the bomb is {content.Headers.ContentLength} bytes compressed");
        var response = await client.PostAsync("/api/v1/sync/push", content);
        Assert.Equal(ErrorCodes.PayloadTooLarge, (await ErrorOf(response, HttpStatusCode.RequestEntityTooLarge)).Code);

        var broken = new ByteArrayContent([1, 2, 3, 4, 5, 6, 7, 8]);
        broken.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        broken.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(await client.PostAsync("/api/v1/sync/push", broken), HttpStatusCode.BadRequest)).Code);
        Assert.Empty((await PullOk(client)).Changes);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("compress")]
    public async Task BodiesInAnEncodingOtherThanGzip_Get415_AndStoreNothing(string encoding)
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var json = Encoding.UTF8.GetBytes(PushJson("d", ChangeJson("cnt_enc")));
        using var buffer = new MemoryStream();
        Stream compressor = encoding switch
        {
            "br" => new System.IO.Compression.BrotliStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new System.IO.Compression.ZLibStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
            _ => new MemoryStream(),
        };
        await using (compressor)
        {
            await compressor.WriteAsync(json);
        }

        var content = new ByteArrayContent(encoding == "compress" ? json : buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        var error = await ErrorOf(await client.PostAsync("/api/v1/sync/push", content), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(ErrorCodes.UnsupportedMediaType, error.Code);
        Assert.Empty((await PullOk(client)).Changes);
    }

    [Fact]
    public async Task OtherBadRequests_GetTheirDocumentedStatus()
    {
        var client = Server.Client((await Server.SignupAsync()).AccessToken);
        var text = new StringContent("""{"device_id":"d"}""", Encoding.UTF8, "text/plain");
        Assert.Equal(ErrorCodes.UnsupportedMediaType, (await ErrorOf(await client.PostAsync("/api/v1/sync/pull", text), HttpStatusCode.UnsupportedMediaType)).Code);
        var badCursor = await client.PostAsync("/api/v1/sync/pull", JsonBody("""{"device_id":"d","schema_version":"1","cursor":"forged"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(badCursor, HttpStatusCode.BadRequest)).Code);
        var badStatus = await client.GetAsync("/api/v1/sync/conflicts?status=everything");
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(badStatus, HttpStatusCode.BadRequest)).Code);
        var badChoice = await client.PostAsync("/api/v1/sync/conflicts/cfl_1/resolve", JsonBody("""{"choice":"both","device_id":"d"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(badChoice, HttpStatusCode.BadRequest)).Code);
        var mergedWithoutData = await client.PostAsync("/api/v1/sync/conflicts/cfl_1/resolve", JsonBody("""{"choice":"merged","device_id":"d"}"""));
        Assert.Equal(ErrorCodes.ValidationFailed, (await ErrorOf(mergedWithoutData, HttpStatusCode.BadRequest)).Code);
    }
}
