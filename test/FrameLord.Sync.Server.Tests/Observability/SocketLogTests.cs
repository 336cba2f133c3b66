using System.Net;
using System.Net.Http.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Tests.Live;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>
/// A live socket's lines carry the same <c>UserId</c> and <c>DeviceId</c> scope as an authenticated HTTP
/// request's, though its upgrade is anonymous: here, the warning of an update the store failed to take.
/// </summary>
public sealed class SocketLogTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<IAsyncDisposable> _owned = [];
    private TestDatabase _db = null!;
    private TestServer _server = null!;
    private SwitchableStore _switch = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db, services: services =>
        {
            services.AddLogging(logging => logging.AddFakeLogging());
            services.AddSingleton(sp =>
            {
                var (store, proxy) = SwitchableStore.Over(StoreFactory.Create(sp.GetRequiredService<StorageOptions>(), TimeProvider.System));
                _switch = proxy;
                return store;
            });
        });
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
    public async Task AYWebSocketSession_LogsInTheScopeOfItsTokensUserAndDevice()
    {
        var auth = await SignupAsync("dev_ysocket");
        using var socket = await RawYjsSocket.ConnectAsync(_server.BaseAddress, "/api/v1/yjs/n1", auth.AccessToken);
        await socket.ExpectAsync([0, 0], Wait);

        _switch.Target = DeadStore();
        await socket.SendAsync(RawYjsSocket.Sync(2, Update()));
        Assert.Equal((int)System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, await socket.ClosedWithAsync(Wait));

        AssertScoped(await FailureLineAsync(), auth.UserId, "dev_ysocket");
    }

    [Fact]
    public async Task AHocuspocusSession_LogsInTheScopeOfItsTokensUserAndDevice()
    {
        var auth = await SignupAsync("dev_hocus");
        using var socket = await RawYjsSocket.ConnectAsync(_server.BaseAddress, "/api/v1/hocuspocus", token: null);
        await socket.SendAsync(new Lib0Writer().VarString("n1").VarUint(2).VarUint(0).VarString(auth.AccessToken).ToArray());
        await socket.ExpectAsync(new Lib0Writer().VarString("n1").VarUint(2).VarUint(2).ToArray(), Wait);

        _switch.Target = DeadStore();
        await socket.SendAsync(new Lib0Writer().VarString("n1").VarUint(0).VarUint(2).VarBytes(Update()).ToArray());
        Assert.Equal((int)System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, await socket.ClosedWithAsync(Wait));

        AssertScoped(await FailureLineAsync(), auth.UserId, "dev_hocus");
    }

    private async Task<AuthResponse> SignupAsync(string deviceId)
    {
        var response = await _server.Client().PostAsJsonAsync("/api/v1/auth/signup", new SignupRequest
        {
            Email = $"socket-logs-{Guid.NewGuid():N}@example.com",
            Password = "correct horse battery",
            DeviceId = deviceId,
        }, SyncJsonContext.Default.SignupRequest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
    }

    private static byte[] Update()
    {
        var doc = new YDoc(new YDocOptions { ClientId = 11 });
        doc.GetText("t").Insert(0, "lost to a dead store");
        return doc.EncodeStateAsUpdate();
    }

    /// <summary>The socket's warning, once written (the close may reach the client first).</summary>
    private async Task<FakeLogRecord> FailureLineAsync()
    {
        var collector = _server.Services.GetRequiredService<FakeLogCollector>();
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var line = collector.GetSnapshot().FirstOrDefault(r => r.Level == LogLevel.Warning && r.Message.Contains("live socket", StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            Assert.True(DateTime.UtcNow < deadline, "the socket's failure was not logged");
            await Task.Delay(50);
        }
    }

    private static void AssertScoped(FakeLogRecord line, string userId, string deviceId)
    {
        var scope = Assert.Single(line.Scopes.OfType<RequestLogScope>());
        Assert.Equal(userId, scope.UserId);
        Assert.Equal(deviceId, scope.DeviceId);
    }

    /// <summary>A SQLite store over a file that is not a database: every call fails.</summary>
    private ISyncStore DeadStore()
    {
        var path = Path.Combine(_db.Folder, "not-a-database.db");
        File.WriteAllText(path, "this file is not a SQLite database, whatever its name says");
        var store = StoreFactory.Create(new StorageOptions { Provider = "sqlite", ConnectionString = $"Data Source={path}" }, TimeProvider.System);
        _owned.Add(store);
        return store;
    }
}
