using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>Two servers over one PostgreSQL: a change committed through one reaches the live streams of the other.</summary>
public sealed class MultiProcessEventsTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _first = null!;
    private TestServer _second = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Postgres);
        _first = await TestServer.StartAsync(_db);
        _second = await TestServer.StartAsync(_db);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task AChangeThroughOneServer_ReachesTheStreamsOfTheOther()
    {
        var user = await _first.SignupAsync();
        using var events = await ApiTests.OpenEventsAsync(_second.Client(user.AccessToken));
        // The other server's LISTEN starts with its host, asynchronously: push until one change is relayed.
        string? name = null;
        for (var attempt = 0; attempt < 20 && name is null; attempt++)
        {
            var response = await _first.Client(user.AccessToken).PostAsync("/api/v1/sync/push", new StringContent(
                $$"""{"device_id":"d","schema_version":"1","changes":[{"change_id":"c{{attempt}}","entity_type":"task","entity_id":"t1","operation":"update","data":{"title":"x{{attempt}}"},"client_timestamp":"2025-12-05T10:00:00Z","sync_version":{{attempt + 1}},"base_version":{{attempt}}}]}""",
                System.Text.Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            try
            {
                (name, _) = await events.NextAsync(TimeSpan.FromSeconds(1));
            }
            catch (OperationCanceledException)
            {
                // Not relayed yet.
            }
        }

        Assert.Equal("changes", name);
    }
}
