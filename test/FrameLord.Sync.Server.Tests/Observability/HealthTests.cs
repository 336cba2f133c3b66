using System.Net;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>Liveness and readiness (issue 15): readiness follows the store, liveness never does.</summary>
public abstract class HealthTests(Backend backend) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private TestDatabase _db = null!;
    private TestServer _server = null!;
    private SwitchableStore _switch = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(backend);
        _server = await TestServer.StartAsync(_db, services: services => services.AddSingleton(sp =>
        {
            var (store, proxy) = SwitchableStore.Over(StoreFactory.Create(sp.GetRequiredService<StorageOptions>(), TimeProvider.System));
            _switch = proxy;
            return store;
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _db.DisposeAsync();
    }

    [Fact]
    public async Task LiveAndReady_Are200_WithoutAToken_WhenTheStoreAnswers()
    {
        var client = _server.Client();
        var live = await client.GetAsync("/healthz/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", await StatusOf(live));

        var ready = await client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(_db.Storage.Provider, body.RootElement.GetProperty("storage").GetString());
        Assert.Equal(_switch.Target.LatestSchemaVersion, body.RootElement.GetProperty("schema_version").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task StoreDown_ReadyIs503InTheErrorShape_LiveStays200()
    {
        _switch.Target = DeadStore();

        var client = _server.Client();
        var ready = await client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var error = JsonSerializer.Deserialize(await ready.Content.ReadAsStringAsync(), SyncJsonContext.Default.ErrorEnvelope)!.Error;
        Assert.Equal(ErrorCodes.Unavailable, error.Code);
        Assert.False(string.IsNullOrEmpty(error.Message));
        Assert.NotNull(ready.Headers.RetryAfter);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
        var live = await client.GetAsync("/healthz/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", await StatusOf(live));
    }

    [Fact]
    public async Task SchemaNotMigrated_ReadyIs503_ThoughTheStoreAnswers()
    {
        var fresh = await TestDatabase.CreateAsync(backend);
        _owned.Add(fresh);
        var store = StoreFactory.Create(fresh.Storage, TimeProvider.System);
        _owned.Add(store);
        _switch.Target = store;

        var client = _server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(ErrorCodes.Unavailable,
            JsonSerializer.Deserialize(await ready.Content.ReadAsStringAsync(), SyncJsonContext.Default.ErrorEnvelope)!.Error.Code);
    }

    /// <summary>PostgreSQL on a port nothing listens on; SQLite on a file that is not a database.</summary>
    private ISyncStore DeadStore()
    {
        StorageOptions dead;
        if (backend == Backend.Postgres)
        {
            dead = new StorageOptions { Provider = "postgres", ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=3" };
        }
        else
        {
            var path = Path.Combine(_db.Folder, "not-a-database.db");
            File.WriteAllBytes(path, new byte[8192]);
            File.WriteAllText(path, "this file is not a SQLite database, whatever its name says");
            dead = new StorageOptions { Provider = "sqlite", ConnectionString = $"Data Source={path}" };
        }

        var store = StoreFactory.Create(dead, TimeProvider.System);
        _owned.Add(store);
        return store;
    }

    private static async Task<string?> StatusOf(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("status").GetString();
    }
}

public sealed class SqliteHealthTests() : HealthTests(Backend.Sqlite);

public sealed class PostgresHealthTests() : HealthTests(Backend.Postgres);
