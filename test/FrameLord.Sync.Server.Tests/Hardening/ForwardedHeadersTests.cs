using System.Net;
using System.Text;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Hardening;

/// <summary>
/// Behind a proxy every client arrives from the proxy's address: with forwarded headers on, per-address limits
/// count the client address a trusted proxy forwards; off (the default) or from an untrusted peer, the header is ignored.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(Backend.Sqlite);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    private async Task<List<HttpStatusCode>> LoginsFromAsync(Dictionary<string, string> settings, params string[] forwardedFor)
    {
        settings["Limits:AuthRequestsPerAddressPerMinute"] = "2";
        await using var server = await TestServer.StartAsync(_db, settings);
        var http = server.Client();
        var statuses = new List<HttpStatusCode>();
        var n = 0;
        foreach (var address in forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
            {
                Content = new StringContent($$"""{"email":"nobody{{n++}}@example.com","password":"wrong password"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Forwarded-For", address);
            statuses.Add((await http.SendAsync(request)).StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task Enabled_BehindALoopbackProxy_EachForwardedClientHasItsOwnLimit()
    {
        var statuses = await LoginsFromAsync(new() { ["ForwardedHeaders:Enabled"] = "true" },
            "203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2", "198.51.100.7, 203.0.113.3");
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests,
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses);
    }

    [Fact]
    public async Task Off_ByDefault_TheHeaderIsIgnored_AndAllShareTheConnectionsAddress()
    {
        var statuses = await LoginsFromAsync([], "203.0.113.1", "203.0.113.2", "203.0.113.3");
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Enabled_ButThePeerIsNotAKnownProxy_TheHeaderIsIgnored()
    {
        var statuses = await LoginsFromAsync(new()
        {
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies:0"] = "10.9.9.9",
            ["ForwardedHeaders:KnownNetworks:0"] = "192.168.0.0/16",
        }, "203.0.113.1", "203.0.113.2", "203.0.113.3");
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task AProxyAddressThatDoesNotParse_StopsTheStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(_db, new Dictionary<string, string>
        {
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/99",
        }));
        Assert.Contains("KnownNetworks", error.Message, StringComparison.Ordinal);
    }
}
