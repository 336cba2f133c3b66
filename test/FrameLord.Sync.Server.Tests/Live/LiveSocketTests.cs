using System.Net;
using System.Net.Http.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Live.Sockets;
using FrameLord.Sync.Server.Tests.Api;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>The y-websocket endpoint at the byte level: one document state with REST, auth, limits and clean-up.</summary>
public abstract class LiveSocketTests(Backend backend) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(backend);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    private Task<TestServer> StartAsync(Dictionary<string, string>? settings = null) =>
        TestServer.StartAsync(_db, settings ?? new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "100000" });

    private static async Task<DocumentSyncResponse> RestSyncAsync(HttpClient http, string note, byte[]? update = null)
    {
        var response = await http.PostAsJsonAsync($"/api/v1/notes/{note}/sync",
            new DocumentSyncRequest { YjsUpdates = update }, SyncJsonContext.Default.DocumentSyncRequest);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.DocumentSyncResponse))!;
    }

    [Fact]
    public async Task ASocketUpdate_IsStoredLikeARestSync_AndARestSyncReachesTheSocket()
    {
        await using var server = await StartAsync();
        var user = await server.SignupAsync();
        var http = server.Client(user.AccessToken);
        using var events = await ApiTests.OpenEventsAsync(server.Client(user.AccessToken));
        using var socket = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        await socket.ExpectAsync([0, 0], Wait); // the server's sync step 1

        var doc = new YDoc(new YDocOptions { ClientId = 5 });
        doc.GetText("t").Insert(0, "typed");
        await socket.SendAsync(RawYjsSocket.Sync(2, doc.EncodeStateAsUpdate()));
        var (name, data) = await events.NextAsync(Wait);
        Assert.Equal("doc", name);
        Assert.Equal("""{"note_id":"n1","sync_version":1}""", data);

        var rest = new YDoc(new YDocOptions { ClientId = 6 });
        var answer = await RestSyncAsync(http, "n1");
        Assert.Equal(1, answer.SyncVersion);
        rest.ApplyUpdate(answer.Updates);
        Assert.Equal("typed", rest.GetText("t").ToString());

        // A REST client's update is pushed to the open socket as a y-websocket update message.
        var before = rest.EncodeStateVector();
        rest.GetText("t").Insert(5, " and synced");
        Assert.Equal(2, (await RestSyncAsync(http, "n1", rest.EncodeStateAsUpdate(before))).SyncVersion);
        var pushed = await socket.ExpectAsync([0, 2], Wait);
        doc.ApplyUpdate(pushed[3..]);
        Assert.Equal("typed and synced", doc.GetText("t").ToString());
    }

    [Fact]
    public async Task AnInvalidUpdate_Closes4400_AndStoresNothing()
    {
        await using var server = await StartAsync();
        var user = await server.SignupAsync();
        using var socket = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);

        // An update that depends on content the server never had (client 9's clock 5 onwards).
        var origin = new YDoc(new YDocOptions { ClientId = 9 });
        origin.GetText("t").Insert(0, "hello");
        var vector = origin.EncodeStateVector();
        origin.GetText("t").Insert(5, "!");
        await socket.SendAsync(RawYjsSocket.Sync(2, origin.EncodeStateAsUpdate(vector)));

        Assert.Equal(4400, await socket.ClosedWithAsync(Wait));
        Assert.Equal(0, (await RestSyncAsync(server.Client(user.AccessToken), "n1")).SyncVersion);
    }

    [Fact]
    public async Task ANoteIdOverTheLimit_Closes4400_WithoutFailingTheServer()
    {
        await using var server = await StartAsync();
        var user = await server.SignupAsync();
        using var socket = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/" + new string('n', 300), user.AccessToken);
        Assert.Equal(4400, await socket.ClosedWithAsync(Wait));
        var registry = server.Services.GetRequiredService<NoteHubRegistry>();
        await LiveSocketInteropTests.Eventually(() => registry.SocketCount(user.UserId) == 0 && registry.HubCount == 0);
    }

    [Fact]
    public async Task AMessageOverTheUpdateLimit_Closes1009()
    {
        await using var server = await StartAsync(new() { ["Limits:MaxYjsUpdateBytes"] = "1024" });
        var user = await server.SignupAsync();
        using var socket = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        await socket.SendAsync(RawYjsSocket.Sync(2, new byte[4096]));
        Assert.Equal(1009, await socket.ClosedWithAsync(Wait));
    }

    [Fact]
    public async Task SocketsPerUser_AreCapped_AndCountedDownWhenTheyClose()
    {
        await using var server = await StartAsync(new() { ["Limits:MaxSocketsPerUser"] = "2" });
        var user = await server.SignupAsync();
        var other = await server.SignupAsync();
        using var first = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/a", user.AccessToken);
        using var second = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/b", user.AccessToken);
        await first.ExpectAsync([0, 0], Wait);
        await second.ExpectAsync([0, 0], Wait);
        using (var third = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/c", user.AccessToken))
        {
            Assert.Equal(SocketSession.TooManySockets, await third.ClosedWithAsync(Wait));
        }

        // Another user is not affected.
        using (var theirs = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/a", other.AccessToken))
        {
            await theirs.ExpectAsync([0, 0], Wait);
        }

        var registry = server.Services.GetRequiredService<NoteHubRegistry>();
        first.Dispose();
        second.Dispose();
        await LiveSocketInteropTests.Eventually(() => registry.SocketCount(user.UserId) == 0 && registry.HubCount == 0);
        using var again = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/c", user.AccessToken);
        await again.ExpectAsync([0, 0], Wait);
    }

    [Fact]
    public async Task AnOpenSocket_IsClosed4401_WhenItsTokenExpires()
    {
        await using var server = await StartAsync(new() { ["Auth:TokenLifetime"] = "00:00:02", ["Auth:ClockSkew"] = "00:00:00" });
        var user = await server.SignupAsync();
        using var socket = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        await socket.ExpectAsync([0, 0], Wait);
        Assert.Equal(4401, await socket.ClosedWithAsync(Wait));
    }

    [Fact]
    public async Task APlainRequest_WithoutUpgrade_Gets400()
    {
        await using var server = await StartAsync();
        var response = await server.Client().GetAsync("/api/v1/yjs/n1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(ErrorCodes.ValidationFailed, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class SqliteLiveSocketTests() : LiveSocketTests(Backend.Sqlite);

public sealed class PostgresLiveSocketTests() : LiveSocketTests(Backend.Postgres);
