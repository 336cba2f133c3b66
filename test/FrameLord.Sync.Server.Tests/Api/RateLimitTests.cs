using System.Net;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

public sealed class RateLimitTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "5" });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task OverThePerUserLimit_Is429_WithRetryAfter_AndOtherUsersAreUnaffected()
    {
        var alice = _server.Client((await _server.SignupAsync()).AccessToken);
        var bob = _server.Client((await _server.SignupAsync()).AccessToken);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/sync/conflicts")).StatusCode);
        }

        var limited = await alice.GetAsync("/api/v1/sync/conflicts");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Contains(ErrorCodes.RateLimited, await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/sync/conflicts")).StatusCode);
    }
}
