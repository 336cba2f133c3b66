using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Benchmarks;

/// <summary>
/// Memory per open note on the live endpoint: N notes, each holding the same BlockSuite-shaped document (typed by
/// one client, then edited with deletions by ten others), are stored through REST; then one y-websocket socket per
/// note opens and sends one keystroke, so every note has its hub, its checking state and a live socket. The
/// managed heap after a full collection, before and after, divided by N. Server and clients share this process,
/// so the figure also holds the client sockets: an upper bound on the server's share.
/// </summary>
internal static class LiveMemoryBench
{
    public const string Header = "| document blocks | encoded bytes (S) | open notes | heap before MB | heap with sockets MB | per open note KiB | target 2·S + 64 KiB, KiB |\n|---:|---:|---:|---:|---:|---:|---:|\n";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public static async Task<string> RunAsync(int notes, IReadOnlyList<int> blockCounts)
    {
        var report = new StringBuilder();
        foreach (var blocks in blockCounts)
        {
            await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
            await using var server = await TestServer.StartAsync(db, new Dictionary<string, string>
            {
                ["Limits:RequestsPerMinute"] = "10000000",
                ["Limits:MaxSocketsPerUser"] = "100000",
                ["Limits:MaxConcurrentAnonymousRequestsPerAddress"] = "100000",
            });
            var auth = await server.SignupAsync();
            using var http = server.Client(auth.AccessToken);
            var update = EditedDocument(blocks);
            for (var i = 0; i < notes; i++)
            {
                using var stored = await http.PostAsJsonAsync($"/api/v1/notes/n{i}/sync", new { yjs_updates = Convert.ToBase64String(update) });
                stored.EnsureSuccessStatusCode();
            }

            var before = Heap();
            var sockets = new List<ClientWebSocket>(notes);
            for (var i = 0; i < notes; i++)
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(new Uri(server.BaseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal) + $"api/v1/yjs/n{i}?token={auth.AccessToken}"), CancellationToken.None);
                await ReceiveAsync(socket); // sync step 1
                await socket.SendAsync(SyncUpdate(Keystroke((ulong)(100 + i))), WebSocketMessageType.Binary, true, CancellationToken.None);
                sockets.Add(socket);
            }

            // Every keystroke stored (sync_version 2): the hubs hold what a write teaches them.
            for (var i = 0; i < notes; i++)
            {
                var deadline = DateTime.UtcNow + Wait;
                while (!await StoredTwiceAsync(http, $"n{i}") && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(20);
                }
            }

            var with = Heap();
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {blocks:N0} | {update.Length:N0} | {notes:N0} | {before / 1048576.0:F1} | {with / 1048576.0:F1} | {(with - before) / 1024.0 / notes:F1} | {(2.0 * update.Length + 65536) / 1024:F0} |");
            foreach (var socket in sockets)
            {
                socket.Abort();
                socket.Dispose();
            }
        }

        return report.ToString();
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>A note typed by one client, then edited by ten others (a word inserted and a character deleted in every tenth block each).</summary>
    private static byte[] EditedDocument(int blocks)
    {
        var doc = DocumentBench.BlockDocument(blocks, 12);
        for (ulong client = 2; client < 12; client++)
        {
            var editor = new YDoc(new YDocOptions { ClientId = client });
            editor.ApplyUpdate(doc.EncodeStateAsUpdate());
            var map = editor.GetMap("blocks");
            for (var b = (int)client; b < blocks; b += 10)
            {
                var text = map.Get<YMap>($"block-{b}")!.Get<YText>("prop:text")!;
                text.Delete(1, 1);
                text.Insert(0, "edited ");
            }

            doc.ApplyUpdate(editor.EncodeStateAsUpdate(doc.EncodeStateVector()));
        }

        return doc.EncodeStateAsUpdate();
    }

    private static byte[] Keystroke(ulong client)
    {
        var doc = new YDoc(new YDocOptions { ClientId = client });
        doc.GetText("typing").Insert(0, "x");
        return doc.EncodeStateAsUpdate();
    }

    private static byte[] SyncUpdate(byte[] update) => new Lib0Writer(update.Length + 8).VarUint(0).VarUint(2).VarBytes(update).ToArray();

    private static async Task<bool> StoredTwiceAsync(HttpClient http, string note)
    {
        using var answer = await http.PostAsJsonAsync($"/api/v1/notes/{note}/sync", new { state_vector = Convert.ToBase64String(YUpdate.EncodeStateVector(new Dictionary<ulong, long>())) });
        return (await answer.Content.ReadAsStringAsync()).Contains("\"sync_version\":2", StringComparison.Ordinal);
    }

    private static async Task ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        using var timeout = new CancellationTokenSource(Wait);
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        while (!result.EndOfMessage);
    }
}
