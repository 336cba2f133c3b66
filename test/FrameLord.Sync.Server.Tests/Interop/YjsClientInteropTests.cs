using System.Net.Http.Json;
using System.Text.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Interop;

/// <summary>
/// npm yjs clients (Node) and C# clients edit the same BlockSuite-shaped notes at the same time
/// through the real server; when everyone has synced, every replica holds the same document.
/// </summary>
public abstract class YjsClientInteropTests(Backend backend) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(backend);
        // Small compaction thresholds so compactions happen while everybody edits.
        _server = await TestServer.StartAsync(_db, new Dictionary<string, string>
        {
            ["Sync:DocumentCompactionUpdates"] = "15",
            ["Limits:RequestsPerMinute"] = "100000",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The C# side of the same editor: the same kinds of block edits, synced the same way.</summary>
    private sealed class CSharpClient(HttpClient http, string noteId, ulong clientId, int seed)
    {
        private readonly YDoc _doc = new(new YDocOptions { ClientId = clientId });
        private readonly Random _random = new(seed);
        private byte[] _serverVector = [0];

        public async Task SyncAsync()
        {
            var request = new DocumentSyncRequest { YjsUpdates = _doc.EncodeStateAsUpdate(_serverVector), StateVector = _doc.EncodeStateVector() };
            var response = await http.PostAsJsonAsync($"/api/v1/notes/{noteId}/sync", request, SyncJsonContext.Default.DocumentSyncRequest);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            var answer = JsonSerializer.Deserialize(text, SyncJsonContext.Default.DocumentSyncResponse)!;
            _doc.ApplyUpdate(answer.Updates);
            _serverVector = answer.NewStateVector;
        }

        public async Task EditAsync(int edits, int syncEvery)
        {
            await SyncAsync();
            for (var i = 0; i < edits; i++)
            {
                _doc.Transact(_ => Edit(i));
                if (i % syncEvery == syncEvery - 1)
                {
                    await SyncAsync();
                }
            }

            await SyncAsync();
        }

        private void Edit(int i)
        {
            var blocks = _doc.GetMap("blocks");
            var keys = blocks.Keys.Order(StringComparer.Ordinal).ToList();
            var roll = _random.NextDouble();
            if (keys.Count == 0 || roll < 0.25)
            {
                var block = blocks.Set($"b-{clientId}-{i}", new YMap());
                block.Set("sys:flavour", "affine:paragraph");
                block.Set("prop:text", new YText()).Insert(0, $"cs{clientId}-{i} ");
                block.Set("sys:children", new YArray());
                return;
            }

            var key = keys[_random.Next(keys.Count)];
            var target = blocks.Get<YMap>(key)!;
            if (roll < 0.3)
            {
                blocks.Delete(key);
                return;
            }

            if (roll < 0.4)
            {
                target.Get<YArray>("sys:children")!.Push([$"c-{clientId}-{i}"]);
                return;
            }

            var text = target.Get<YText>("prop:text")!;
            if (text.Length > 4 && _random.NextDouble() < 0.3)
            {
                text.Delete(_random.Next(text.Length - 2), 2);
            }
            else
            {
                text.Insert(_random.Next(text.Length + 1), $"<{clientId}:{i}>");
            }
        }

        /// <summary>The same canonical view the Node client prints.</summary>
        public string Content()
        {
            var blocks = _doc.GetMap("blocks");
            var content = new SortedDictionary<string, object>(StringComparer.Ordinal);
            foreach (var key in blocks.Keys)
            {
                var block = blocks.Get<YMap>(key)!;
                content[key] = new { text = block.Get<YText>("prop:text")!.ToString(), children = block.Get<YArray>("sys:children")!.ToArray() };
            }

            return JsonSerializer.Serialize(content);
        }
    }

    [Fact]
    public async Task NodeAndCSharpClients_EditingConcurrently_Converge()
    {
        var auth = await _server.SignupAsync();
        var wait = Path.Combine(_db.Folder, $"all-synced-{Guid.NewGuid():N}");
        const string Note = "note_shared";
        var nodes = Enumerable.Range(0, 2).Select(i => NodeYjs.Start("note-client.mjs",
            $"--url {_server.BaseAddress} --token {auth.AccessToken} --note {Note} --client-id {100 + i} --seed {7 + i} --edits 60 --sync-every 4 --wait {wait}"))
            .ToArray();
        var csharp = Enumerable.Range(0, 2).Select(i => new CSharpClient(_server.Client(auth.AccessToken), Note, (ulong)(200 + i), 11 + i)).ToArray();
        try
        {
            await Task.WhenAll(csharp.Select(c => Task.Run(() => c.EditAsync(60, 3))));
            var nodeContents = await NodeYjs.ReleaseNoteClientsAsync(nodes, wait);

            foreach (var client in csharp)
            {
                await client.SyncAsync();
                await client.SyncAsync();
            }

            var expected = csharp[0].Content();
            Assert.Contains("b-", expected, StringComparison.Ordinal);
            Assert.Equal(expected, csharp[1].Content());
            foreach (var content in nodeContents)
            {
                Assert.Equal(Normalize(expected), Normalize(content));
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}

public sealed class SqliteYjsClientInteropTests() : YjsClientInteropTests(Backend.Sqlite);

public sealed class PostgresYjsClientInteropTests() : YjsClientInteropTests(Backend.Postgres);
