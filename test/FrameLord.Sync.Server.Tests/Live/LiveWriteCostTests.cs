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
            var before = doc.EncodeStateVector();
            doc.GetText("t").Insert(doc.GetText("t").Length, text);
            await writer.SendAsync(RawYjsSocket.Sync(2, doc.EncodeStateAsUpdate(before)));
            await reader.ExpectAsync([0, 2], Wait); // relayed only once stored
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
}

public sealed class SqliteLiveWriteCostTests() : LiveWriteCostTests(Backend.Sqlite);

public sealed class PostgresLiveWriteCostTests() : LiveWriteCostTests(Backend.Postgres);
