using FrameLord.Sync.Crdt;
using FrameLord.Sync.Server.Live;
using FrameLord.Sync.Server.Tests.Api;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>DESIGN 3.6: a per-user cap on live event streams (the oldest ends), streams end at token expiry, no per-user entries left.</summary>
public sealed class EventStreamLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(Backend.Sqlite);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    private static async Task SyncANoteAsync(TestServer server, string token)
    {
        var doc = new YDoc(new YDocOptions { ClientId = 3 });
        doc.GetText("t").Insert(0, "x");
        var response = await server.Client(token).PostAsync("/api/v1/notes/n1/sync",
            new StringContent($$"""{"yjs_updates":"{{Convert.ToBase64String(doc.EncodeStateAsUpdate())}}"}""", System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task OneStreamOverTheCap_EndsTheOldest_AndTheOthersKeepGettingEvents()
    {
        await using var server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:MaxEventStreamsPerUser"] = "2" });
        var user = await server.SignupAsync();
        var hub = server.Services.GetRequiredService<LiveHub>();
        using var oldest = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));
        using var second = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));
        using var third = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));

        await Assert.ThrowsAsync<EndOfStreamException>(() => oldest.NextAsync(Wait));
        Assert.Equal(2, hub.StreamCount(user.UserId));
        await SyncANoteAsync(server, user.AccessToken);
        Assert.Equal("doc", (await second.NextAsync(Wait)).Name);
        Assert.Equal("doc", (await third.NextAsync(Wait)).Name);
    }

    [Fact]
    public async Task AStream_EndsWhenItsTokenExpires()
    {
        await using var server = await TestServer.StartAsync(_db, new Dictionary<string, string>
        {
            ["Auth:TokenLifetime"] = "00:00:02",
            ["Auth:ClockSkew"] = "00:00:00",
        });
        var user = await server.SignupAsync();
        using var events = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));
        await Assert.ThrowsAsync<EndOfStreamException>(() => events.NextAsync(Wait));
    }

    [Fact]
    public async Task ClosedStreams_LeaveNoPerUserEntryBehind()
    {
        await using var server = await TestServer.StartAsync(_db);
        var hub = server.Services.GetRequiredService<LiveHub>();
        for (var i = 0; i < 3; i++)
        {
            var user = await server.SignupAsync();
            using var first = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));
            using var second = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));
        }

        await LiveSocketInteropTests.Eventually(() => hub.UserCount == 0);
    }
}
