using System.Net;
using System.Text;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>The Prometheus scrape endpoint: served only when enabled, without a token, with the server's instruments.</summary>
public sealed class PrometheusTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(Backend.Sqlite);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task ScrapeEndpoint_IsOffByDefault()
    {
        await using var server = await TestServer.StartAsync(_db);
        var token = (await server.SignupAsync()).AccessToken;
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client(token).GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task ScrapeEndpoint_WhenEnabled_ServesThePushCounters()
    {
        var exported = new List<Metric>();
        await using var server = await TestServer.StartAsync(_db,
            new Dictionary<string, string> { ["OpenTelemetry:Prometheus"] = "true" },
            services => services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported)));
        var client = server.Client((await server.SignupAsync()).AccessToken);
        var push = await client.PostAsync("/api/v1/sync/push", new StringContent(
            """{"device_id":"d","schema_version":"1","changes":[{"change_id":"c1","entity_type":"contact","entity_id":"cnt_p","operation":"create","data":{"name":"x"},"client_timestamp":"2025-12-05T10:30:00Z","sync_version":1,"base_version":0}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);

        var scrape = await server.Client().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.Contains("framelord_sync_changes_pushed", text, StringComparison.Ordinal);
        Assert.Contains("framelord_sync_store_operation_duration_seconds_bucket", text, StringComparison.Ordinal);

        // The same instruments reach any other exporter of the provider (here the in-memory one).
        server.Services.GetRequiredService<MeterProvider>().ForceFlush();
        Assert.Contains(exported, m => m.Name == "framelord.sync.changes.pushed");
    }
}
