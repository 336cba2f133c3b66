using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Benchmarks;

/// <summary>
/// Document sync figures: bytes of a one-character edit on a 10,000-block note against the whole state,
/// gzip on a text-heavy note, one-edit sync latency over loopback HTTP with 50 notes edited at once,
/// and server allocations per sync request on compacted notes of growing size.
/// </summary>
internal static class DocumentBench
{
    public static async Task<string> RunAsync(Backend backend)
    {
        var report = new StringBuilder();
        var name = backend.ToString().ToLowerInvariant();
        await using var db = await TestDatabase.CreateAsync(backend);
        await using var server = await TestServer.StartAsync(db, new Dictionary<string, string>
        {
            ["Limits:RequestsPerMinute"] = "10000000",
            ["Sync:DocumentCompactionUpdates"] = "100",
        });
        var auth = await server.SignupAsync();
        using var http = server.Client(auth.AccessToken);

        // 1. One character on a 10,000-block note: delta up and down against the whole state.
        var doc = BlockDocument(10_000, 1);
        var whole = doc.EncodeStateAsUpdate();
        var first = await SyncAsync(http, "big", doc, whole, [0]);
        var serverVector = first.Response.NewStateVector;
        var blocks = doc.GetMap("blocks");
        blocks.Get<YMap>("block-5000")!.Get<YText>("prop:text")!.Insert(3, "x");
        var delta = doc.EncodeStateAsUpdate(serverVector);
        var edit = await SyncAsync(http, "big", doc, delta, serverVector);
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | one-character edit, 10,000-block note | whole state {whole.Length:N0} B | delta up {delta.Length:N0} B, request body {edit.RequestBytes:N0} B, response body {edit.ResponseBytes:N0} B | saving {1 - (double)(edit.RequestBytes + edit.ResponseBytes) / (first.RequestBytes + first.ResponseBytes):P3} against sending the whole state |");

        // 2. gzip on a text-heavy note (prose paragraphs), as stored bytes and as the JSON request body.
        var prose = BlockDocument(2_000, 40);
        var proseUpdate = prose.EncodeStateAsUpdate();
        var gz = Gzip(proseUpdate);
        var body = JsonSerializer.SerializeToUtf8Bytes(new DocumentSyncRequest { YjsUpdates = proseUpdate }, SyncJsonContext.Default.DocumentSyncRequest);
        var gzBody = Gzip(body);
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | gzip, text-heavy note (2,000 blocks of prose) | update {proseUpdate.Length:N0} B → {gz.Length:N0} B ({1 - (double)gz.Length / proseUpdate.Length:P0} saved) | JSON body {body.Length:N0} B → {gzBody.Length:N0} B ({1 - (double)gzBody.Length / body.Length:P0} saved) | |");

        // 3. Latency of a one-character sync while 50 notes are edited at once: each note syncs an edit
        // every 250 ms (a typing user's debounced sync; 200 syncs/s in all), and, as a saturation figure,
        // back to back with no pause.
        var paced = await ConcurrentEditsAsync(server, auth.AccessToken, notes: 50, editsPerNote: 40, TimeSpan.FromMilliseconds(250));
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | one-character sync, 50 notes edited at once, each syncing every 250 ms (loopback HTTP) | {paced.Length:N0} syncs | p50 {Percentile(paced, 0.5):F1} ms | p99 {Percentile(paced, 0.99):F1} ms |");
        var saturated = await ConcurrentEditsAsync(server, auth.AccessToken, notes: 50, editsPerNote: 20, TimeSpan.Zero);
        report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | the same, back to back with no pause (saturation) | {saturated.Length:N0} syncs | p50 {Percentile(saturated, 0.5):F1} ms | p99 {Percentile(saturated, 0.99):F1} ms |");

        // 4. Server allocations per sync request on compacted notes of growing size (engine in-process).
        var store = (ISyncStore)server.Services.GetService(typeof(ISyncStore))!;
        var documents = new DocumentService(store, new SyncOptions { DocumentCompaction = DocumentCompactionMode.Inline }, new LimitOptions(), TimeProvider.System);
        foreach (var size in new[] { 100, 1_000, 10_000 })
        {
            var (allocated, ms) = await AllocationsPerSyncAsync(documents, auth.UserId, size);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | server allocations per sync, compacted {size:N0}-block note, one-character edit | {allocated:N0} B per request | {ms:F2} ms per request | |");
        }

        return report.ToString();
    }

    internal static YDoc BlockDocument(int blocks, int wordsPerBlock)
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        doc.Transact(_ =>
        {
            var map = doc.GetMap("blocks");
            for (var i = 0; i < blocks; i++)
            {
                var block = map.Set($"block-{i}", new YMap());
                block.Set("sys:flavour", "affine:paragraph");
                block.Set("sys:id", $"block-{i}");
                block.Set("prop:text", new YText()).Insert(0, Prose(i, wordsPerBlock));
                block.Set("sys:children", new YArray());
            }
        });
        return doc;
    }

    private static readonly string[] Words =
        "the quarterly review with the partner team covers pipeline health renewal risk and the onboarding plan for new accounts in the northern region"
            .Split(' ');

    private static string Prose(int seed, int words)
    {
        var sb = new StringBuilder();
        for (var w = 0; w < words; w++)
        {
            sb.Append(Words[(seed * 7 + w * 3) % Words.Length]).Append(' ');
        }

        return sb.Append($"(paragraph {seed})").ToString();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private sealed record Exchange(DocumentSyncResponse Response, long RequestBytes, long ResponseBytes, double Milliseconds);

    private static async Task<Exchange> SyncAsync(HttpClient http, string note, YDoc doc, byte[] update, byte[] serverVector)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new DocumentSyncRequest { YjsUpdates = update, StateVector = doc.EncodeStateVector() },
            SyncJsonContext.Default.DocumentSyncRequest);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var start = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync($"/api/v1/notes/{note}/sync", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"sync failed: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }

        var answer = JsonSerializer.Deserialize(bytes, SyncJsonContext.Default.DocumentSyncResponse)!;
        doc.ApplyUpdate(answer.Updates);
        _ = serverVector;
        return new Exchange(answer, body.Length, bytes.Length, ms);
    }

    private static async Task<double[]> ConcurrentEditsAsync(TestServer server, string token, int notes, int editsPerNote, TimeSpan pause)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000 };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var docs = Enumerable.Range(0, notes).Select(i => BlockDocument(50, 8)).ToArray();
        var prefix = pause == TimeSpan.Zero ? "busy" : "paced";
        var vectors = new byte[notes][];
        for (var i = 0; i < notes; i++)
        {
            vectors[i] = (await SyncAsync(http, $"{prefix}-{i}", docs[i], docs[i].EncodeStateAsUpdate(), [0])).Response.NewStateVector;
        }

        // Warm-up, untimed and all at once, as the push benchmark does: one edit per note, so the
        // connection pool has grown and the code paths are compiled before anything is measured.
        await Task.WhenAll(Enumerable.Range(0, notes).Select(async i =>
        {
            docs[i].GetMap("blocks").Get<YMap>("block-0")!.Get<YText>("prop:text")!.Insert(0, "w");
            vectors[i] = (await SyncAsync(http, $"{prefix}-{i}", docs[i], docs[i].EncodeStateAsUpdate(vectors[i]), vectors[i])).Response.NewStateVector;
        }));

        var all = new List<double>[notes];
        await Task.WhenAll(Enumerable.Range(0, notes).Select(async i =>
        {
            all[i] = [];
            // Spread the notes' first edits over one pause, as independent users would be.
            await Task.Delay(pause * i / notes);
            for (var e = 0; e < editsPerNote; e++)
            {
                var due = Stopwatch.GetTimestamp();
                docs[i].GetMap("blocks").Get<YMap>($"block-{e % 50}")!.Get<YText>("prop:text")!.Insert(0, "k");
                var exchange = await SyncAsync(http, $"{prefix}-{i}", docs[i], docs[i].EncodeStateAsUpdate(vectors[i]), vectors[i]);
                vectors[i] = exchange.Response.NewStateVector;
                all[i].Add(exchange.Milliseconds);
                var rest = pause - Stopwatch.GetElapsedTime(due);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest);
                }
            }
        }));
        return all.SelectMany(l => l).Order().ToArray();
    }

    private static async Task<(long Bytes, double Milliseconds)> AllocationsPerSyncAsync(DocumentService documents, string userId, int blocks)
    {
        var note = $"alloc-{blocks}";
        var doc = BlockDocument(blocks, 8);
        var first = await documents.SyncAsync(userId, note, new DocumentSyncRequest { YjsUpdates = doc.EncodeStateAsUpdate() }, CancellationToken.None);
        await documents.CompactAsync(userId, note, CancellationToken.None);
        var vector = first.NewStateVector;
        const int Requests = 410;
        long allocated = 0;
        double ms = 0;
        for (var i = 0; i < Requests; i++)
        {
            doc.GetMap("blocks").Get<YMap>($"block-{i % blocks}")!.Get<YText>("prop:text")!.Insert(0, "q");
            var request = new DocumentSyncRequest { YjsUpdates = doc.EncodeStateAsUpdate(vector), StateVector = doc.EncodeStateVector() };
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var start = Stopwatch.GetTimestamp();
            var answer = await documents.SyncAsync(userId, note, request, CancellationToken.None);
            if (i >= 10)
            {
                ms += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            }

            doc.ApplyUpdate(answer.Updates);
            vector = answer.NewStateVector;
            if (i % 20 == 19)
            {
                await documents.CompactAsync(userId, note, CancellationToken.None);
            }
        }

        return (allocated / (Requests - 10), ms / (Requests - 10));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
