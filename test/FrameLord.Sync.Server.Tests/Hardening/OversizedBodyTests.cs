using System.Net;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Hardening;

/// <summary>
/// DESIGN 8: a client that sends a body over the limit receives the 413 answer itself, not a reset
/// connection (which a web client takes for "offline" and retries forever). Each size is tried many
/// times: the reset used to come about half the time.
/// </summary>
public abstract class OversizedBodyTests(Backend backend) : IAsyncLifetime
{
    private const int Tries = 20;
    private const int ElevenMiB = 11 * 1024 * 1024;
    private const int FiftyMiB = 50 * 1024 * 1024;

    private TestDatabase _db = null!;
    private TestServer _server = null!;
    private string _token = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(backend);
        _server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "100000" });
        _token = (await _server.SignupAsync()).AccessToken;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static byte[] UnclosedJson(int bytes)
    {
        var body = new byte[bytes];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        return body;
    }

    [Theory]
    [InlineData("/api/v1/sync/push", ElevenMiB)]
    [InlineData("/api/v1/sync/push", FiftyMiB)]
    [InlineData("/api/v1/auth/login", ElevenMiB)]
    public async Task HttpClient_GetsThe413_EveryTime(string path, int bytes)
    {
        var body = UnclosedJson(bytes);
        var outcomes = new List<string>();
        for (var i = 0; i < Tries; i++)
        {
            // A fresh connection each time, as a client after a reset would open.
            using var client = new HttpClient { BaseAddress = _server.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new("Bearer", _token);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync(path, content);
                outcomes.Add($"{(int)response.StatusCode} {Code(await response.Content.ReadAsStringAsync())}");
            }
            catch (HttpRequestException e)
            {
                outcomes.Add("failed: " + e.Message);
            }
        }

        Assert.All(outcomes, o => Assert.Equal($"413 {ErrorCodes.PayloadTooLarge}", o));
    }

    [Fact]
    public async Task HttpClient_GetsThe413_ForAChunkedBodyWithoutLength()
    {
        var body = UnclosedJson(ElevenMiB);
        for (var i = 0; i < 5; i++)
        {
            using var client = _server.Client(_token);
            using var content = new StreamContent(new UnknownLengthStream(body));
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync("/api/v1/sync/push", content);
            Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal(ErrorCodes.PayloadTooLarge, Code(await response.Content.ReadAsStringAsync()));
        }
    }

    [Theory]
    [InlineData("/api/v1/sync/push", ElevenMiB)]
    [InlineData("/api/v1/sync/push", FiftyMiB)]
    [InlineData("/api/v1/auth/login", ElevenMiB)]
    public async Task NodeFetch_GetsThe413_EveryTime(string path, int bytes)
    {
        using var node = NodeYjs.Start("oversized-body.mjs", $"{new Uri(_server.BaseAddress, path)} {bytes} {Tries} {_token}");
        var outcomes = new List<string>();
        for (var i = 0; i < Tries; i++)
        {
            outcomes.Add(await node.NextLineAsync(TimeSpan.FromMinutes(2)));
        }

        Assert.All(outcomes, o => Assert.Equal($$"""{"status":413,"code":"{{ErrorCodes.PayloadTooLarge}}"}""", o));
    }

    private static string? Code(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString();
        }
        catch (JsonException)
        {
            return text;
        }
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

public sealed class SqliteOversizedBodyTests() : OversizedBodyTests(Backend.Sqlite);

public sealed class PostgresOversizedBodyTests() : OversizedBodyTests(Backend.Postgres);
