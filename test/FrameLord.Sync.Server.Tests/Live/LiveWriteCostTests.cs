using FrameLord.Sync.Crdt;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>
/// What one keystroke through a live socket costs the store, counted in calls: after the note's first write,
/// one append per update (or per batch), no read of the head, the size or the log. A regression that reads
/// the log back or reads the head per update fails here, whatever the machine's speed.
/// </summary>
public abstract class LiveWriteCostTests(Backend backend) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(backend);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task EachSocketUpdate_CostsOneAppend_AndNoReadOfTheHeadOrTheLog()
    {
        CountingStore counts = null!;
        await using var server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "100000" },
            services => services.AddSingleton(sp =>
            {
                var (store, counting) = CountingStore.Wrap(StoreFactory.Create(
                    sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StoreFaults>()));
                counts = counting;
                return store;
            }));
        var user = await server.SignupAsync();
        using var writer = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        using var reader = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        await writer.ExpectAsync([0, 0], Wait);
        await reader.ExpectAsync([0, 0], Wait);

        var doc = new YDoc(new YDocOptions { ClientId = 7 });
        async Task TypeAsync(string text)
        {
            var appends = counts[nameof(ISyncStore.AppendDocumentUpdatesAsync)];
            var before = doc.EncodeStateVector();
            doc.GetText("t").Insert(doc.GetText("t").Length, text);
            await writer.SendAsync(RawYjsSocket.Sync(2, doc.EncodeStateAsUpdate(before)));
            await reader.ExpectAsync([0, 2], Wait); // relayed (from the second write on, before it is stored)
            // Typing waits for each store, so every keystroke is its own append here (queued ones would share one).
            var deadline = DateTime.UtcNow + Wait;
            while (counts[nameof(ISyncStore.AppendDocumentUpdatesAsync)] == appends && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
        }

        await TypeAsync("first"); // the note's first write reads what it needs once
        var before = new Dictionary<string, int>(counts.Calls);
        const int keystrokes = 20;
        for (var i = 0; i < keystrokes; i++)
        {
            await TypeAsync("x");
        }

        int Delta(string method) => counts[method] - before.GetValueOrDefault(method);
        var message = counts.ToString();
        Assert.True(keystrokes == Delta(nameof(ISyncStore.AppendDocumentUpdatesAsync)), message);
        Assert.True(0 == Delta(nameof(ISyncStore.AppendDocumentUpdateAsync)), message); // the append that reads the log back
        Assert.True(0 == Delta(nameof(ISyncStore.ReadDocumentAsync)), message);
        Assert.True(0 == Delta(nameof(ISyncStore.ReadDocumentHeadAsync)), message);
        Assert.True(0 == Delta(nameof(ISyncStore.ReadDocumentSizeAsync)), message);
        Assert.Equal(keystrokes, counts.Calls.Sum(c => c.Value) - before.Values.Sum()); // nothing else either

        // Still one document for REST: every keystroke stored, one sync_version each.
        var http = server.Client(user.AccessToken);
        var response = await http.PostAsync("/api/v1/notes/n1/sync", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Contains($"\"sync_version\":{keystrokes + 1}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASocketsUpdate_ReachesTheOtherSockets_WhileItsAppendWaits_AndIsStoredAfter()
    {
        await using var server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "100000" });
        var user = await server.SignupAsync();
        using var writer = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        using var reader = await RawYjsSocket.ConnectAsync(server.BaseAddress, "/api/v1/yjs/n1", user.AccessToken);
        await writer.ExpectAsync([0, 0], Wait);
        await reader.ExpectAsync([0, 0], Wait);
        var http = server.Client(user.AccessToken);
        async Task<string> RestSyncAsync() =>
            await (await http.PostAsync("/api/v1/notes/n1/sync", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();

        var doc = new YDoc(new YDocOptions { ClientId = 7 });
        byte[] Type(string text)
        {
            var before = doc.EncodeStateVector();
            doc.GetText("t").Insert(doc.GetText("t").Length, text);
            return doc.EncodeStateAsUpdate(before);
        }

        await writer.SendAsync(RawYjsSocket.Sync(2, Type("first")));
        await reader.ExpectAsync([0, 2], Wait);
        Assert.Contains("\"sync_version\":1", await RestSyncAsync(), StringComparison.Ordinal);

        // Hold every commit: the next keystroke still reaches the other socket, checked but not yet stored.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Services.GetRequiredService<StoreFaults>().OnPoint = async point =>
        {
            if (point == StoreFaults.BeforeCommit)
            {
                holding.TrySetResult();
                await held.Task;
            }
        };
        var keystroke = Type("x");
        await writer.SendAsync(RawYjsSocket.Sync(2, keystroke));
        Assert.Equal(RawYjsSocket.Sync(2, keystroke), await reader.ExpectAsync([0, 2], Wait));
        await holding.Task.WaitAsync(Wait);
        held.SetResult();

        // Stored all the same, once: REST sees the second version and the text.
        var deadline = DateTime.UtcNow + Wait;
        string answer;
        while (!(answer = await RestSyncAsync()).Contains("\"sync_version\":2", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Contains("\"sync_version\":2", answer, StringComparison.Ordinal);
        var stored = new YDoc();
        stored.ApplyUpdate(Convert.FromBase64String(System.Text.Json.JsonDocument.Parse(answer).RootElement.GetProperty("updates").GetString()!));
        Assert.Equal("firstx", stored.GetText("t").ToString());
    }
}

public sealed class SqliteLiveWriteCostTests() : LiveWriteCostTests(Backend.Sqlite);

public sealed class PostgresLiveWriteCostTests() : LiveWriteCostTests(Backend.Postgres);
