using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Benchmarks;

/// <summary>
/// Push: U users at once, each pushing batches of 100 new contacts over loopback HTTP to the real
/// server. Raw: the same rows written into the same database through the store's own batched
/// write path (one transaction per 100 rows, no HTTP, no JSON, no merge), U writers at once.
/// Pull: one user pulls 10,000 changes in pages of 1,000.
/// </summary>
internal static class ServerBench
{
    private static readonly string Filler = "\"company\":\"Acme Corporation\",\"title\":\"Head of Partnerships\",\"tags\":[\"lead\",\"2025\"]";

    public static async Task<List<string>> RunAsync(Backend backend, BenchOptions options)
    {
        var rows = new List<string>();
        var name = backend.ToString().ToLowerInvariant();
        foreach (var users in options.Users)
        {
            // Each phase writes into its own empty database, after a checkpoint, so none pays for the
            // rows, WAL or dirty pages another phase left behind.
            Result raw, engine;
            await using (var rawDb = await FreshAsync(backend))
            {
                raw = await RawUpsertAsync(rawDb, users, options.BatchesPerUser);
            }

            await using (var engineDb = await FreshAsync(backend))
            {
                engine = await EnginePushAsync(engineDb, users, options.BatchesPerUser);
            }

            await using var db = await FreshAsync(backend);
            await using var server = await TestServer.StartAsync(db, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "1000000" });
            var push = await PushAsync(server, users, options.BatchesPerUser, TimeSpan.Zero);
            rows.Add(Row(name, $"raw upsert, {users} writers", raw, null));
            rows.Add(Row(name, $"engine push (no HTTP), {users} users", engine, engine.Rate / raw.Rate));
            rows.Add(Row(name, $"HTTP push, {users} users", push, push.Rate / raw.Rate));
            Console.Error.WriteLine(rows[^1]);
            if (users == 10)
            {
                // The same users at a steady offered load instead of back to back: latency, not saturation.
                var paced = await PushAsync(server, users, options.BatchesPerUser, TimeSpan.FromMilliseconds(200));
                rows.Add(Row(name, "HTTP push, 10 users, each pushing every 200 ms (5,000 changes/s offered)", paced, null));
                Console.Error.WriteLine(rows[^1]);
            }
        }

        {
            await using var db = await TestDatabase.CreateAsync(backend);
            await using var server = await TestServer.StartAsync(db, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "1000000" });
            var pull = await PullAsync(server, 10_000);
            rows.Add(Row(name, "HTTP pull 10,000 changes (pages of 1,000)", pull, null));
            Console.Error.WriteLine(rows[^1]);
        }

        return rows;
    }

    private static async Task<TestDatabase> FreshAsync(Backend backend)
    {
        var db = await TestDatabase.CreateAsync(backend);
        if (backend == Backend.Postgres)
        {
            await using var connection = new Npgsql.NpgsqlConnection(db.Storage.ConnectionString);
            await connection.OpenAsync();
            await using var checkpoint = new Npgsql.NpgsqlCommand("CHECKPOINT", connection);
            await checkpoint.ExecuteNonQueryAsync();
        }

        return db;
    }

    internal static string Row(string store, string scenario, Result result, double? ratio) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {scenario} | {result.Changes:N0} | {result.Seconds:F2} | {result.Rate:N0} | {(result.P50 > 0 ? result.P50.ToString("F1", CultureInfo.InvariantCulture) : "")} | {(result.P99 > 0 ? result.P99.ToString("F1", CultureInfo.InvariantCulture) : "")} | {(ratio is { } r ? r.ToString("P0", CultureInfo.InvariantCulture) : "")} | {result.CpuPer100:F1} |");

    internal sealed record Result(int Changes, double Seconds, double P50, double P99)
    {
        /// <summary>Process CPU time spent per 100 changes (server and load generator together), in ms.</summary>
        public double CpuPer100 { get; init; }

        public double Rate => Changes / Seconds;
    }

    internal static string Body(string device, int user, int batch)
    {
        var sb = new StringBuilder(30_000);
        sb.Append("{\"device_id\":\"").Append(device).Append("\",\"schema_version\":\"1\",\"changes\":[");
        for (var i = 0; i < BenchOptions.BatchSize; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var id = $"cnt_{user}_{batch}_{i}";
            sb.Append("{\"change_id\":\"").Append(id).Append("\",\"entity_type\":\"contact\",\"entity_id\":\"").Append(id)
                .Append("\",\"operation\":\"create\",\"data\":{\"name\":\"Contact ").Append(i).Append("\",\"email\":\"c")
                .Append(i).Append("@example.com\",").Append(Filler)
                .Append("},\"client_timestamp\":\"2025-12-05T10:30:00Z\",\"sync_version\":1,\"base_version\":0}");
        }

        return sb.Append("]}").ToString();
    }

    internal static async Task<Result> PushAsync(TestServer server, int users, int batches, TimeSpan pause)
    {
        var tokens = new List<string>();
        for (var u = 0; u < users; u++)
        {
            tokens.Add((await server.SignupAsync()).AccessToken);
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        var bodies = Enumerable.Range(0, users).Select(u => Enumerable.Range(0, batches).Select(b => Body($"dev_{u}", u, b)).ToArray()).ToArray();

        // Warm-up: one small push per user (JIT, connection pools) on ids outside the measured range.
        await Task.WhenAll(Enumerable.Range(0, users).Select(u => Send(http, tokens[u], Body($"dev_{u}", u, -1))));

        var latencies = new List<double>[users];
        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, users).Select(async u =>
        {
            latencies[u] = new List<double>(batches);
            await Task.Delay(pause * u / users);
            foreach (var body in bodies[u])
            {
                var start = Stopwatch.GetTimestamp();
                await Send(http, tokens[u], body);
                var elapsed = Stopwatch.GetElapsedTime(start);
                latencies[u].Add(elapsed.TotalMilliseconds);
                if (pause > elapsed)
                {
                    await Task.Delay(pause - elapsed);
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(users * batches * BenchOptions.BatchSize, seconds, Percentile(all, 0.50), Percentile(all, 0.99))
        {
            CpuPer100 = (Cpu() - cpu).TotalMilliseconds / (users * batches),
        };
    }

    internal static async Task Send(HttpClient http, string token, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync/push")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"push failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var text = await response.Content.ReadAsStringAsync();
        if (!text.Contains("\"failed\":[]", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("a change failed: " + text[..Math.Min(400, text.Length)]);
        }
    }

    public static async Task EngineLoopAsync(Backend backend, TimeSpan duration)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var batches = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var result = await EnginePushAsync(db, 1, 50);
            batches += 50;
            Console.Error.WriteLine($"{result.Rate:N0} changes/s, {result.CpuPer100:F2} ms CPU per 100");
        }

        Console.Error.WriteLine($"{batches} batches");
    }

    /// <summary>The sync engine called in-process: validation, merge, JSON and the store, without HTTP.</summary>
    private static async Task<Result> EnginePushAsync(TestDatabase db, int users, int batches)
    {
        await using var store = await db.OpenStoreAsync();
        var service = new FrameLord.Sync.Server.Engine.SyncService(store, new FrameLord.Sync.Server.Configuration.SyncOptions(),
            new FrameLord.Sync.Server.Configuration.LimitOptions(), TimeProvider.System, new FrameLord.Sync.Server.Engine.RandomIdGenerator());
        var ids = new List<string>();
        for (var u = 0; u < users; u++)
        {
            var tag = Guid.NewGuid().ToString("N");
            var user = new UserRecord($"usr_engine_{tag}", $"engine{tag}@example.com", "x", "Engine", $"cnt_zero_engine_{tag}", DateTimeOffset.UnixEpoch);
            await store.TryCreateUserAsync(user, CancellationToken.None);
            ids.Add(user.UserId);
        }

        var requests = Enumerable.Range(0, users).Select(u => Enumerable.Range(0, batches)
            .Select(b => System.Text.Json.JsonSerializer.Deserialize(Body($"dev_{u}", u, b), SyncJsonContext.Default.PushRequest)!).ToArray()).ToArray();
        var latencies = new List<double>[users];
        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, users).Select(u => Task.Run(async () =>
        {
            latencies[u] = new List<double>(batches);
            foreach (var request in requests[u])
            {
                var start = Stopwatch.GetTimestamp();
                await service.PushAsync(ids[u], request, CancellationToken.None);
                latencies[u].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(users * batches * BenchOptions.BatchSize, seconds, Percentile(all, 0.50), Percentile(all, 0.99))
        {
            CpuPer100 = (Cpu() - cpu).TotalMilliseconds / (users * batches),
        };
    }

    private static async Task<Result> RawUpsertAsync(TestDatabase db, int writers, int batches)
    {
        await using var store = await db.OpenStoreAsync();
        var users = new List<UserRecord>();
        for (var u = 0; u < writers; u++)
        {
            var user = new UserRecord($"usr_raw_{u}", $"raw{u}@example.com", "x", "Raw", $"cnt_zero_raw_{u}", DateTimeOffset.UnixEpoch);
            await store.TryCreateUserAsync(user, CancellationToken.None);
            users.Add(user);
        }

        // The rows the server would write for the same changes: same ids, same JSON sizes.
        WriteSet Batch(int u, int b, long seq)
        {
            var set = new WriteSet();
            var now = DateTimeOffset.UnixEpoch.AddYears(56);
            for (var i = 0; i < BenchOptions.BatchSize; i++)
            {
                var id = $"cnt_{u}_{b}_{i}";
                var data = $"{{\"id\":\"{id}\",\"name\":\"Contact {i}\",\"email\":\"c{i}@example.com\",{Filler},\"created_at\":\"2025-12-05T10:30:00Z\",\"updated_at\":\"2025-12-05T10:30:00Z\",\"sync_version\":1,\"is_archived\":false}}";
                var stamps = "{\"e\":[1,638995698000000000,\"dev\",1],\"f\":{\"name\":[1,638995698000000000,\"dev\",1],\"email\":[1,638995698000000000,\"dev\",1],\"company\":[1,638995698000000000,\"dev\",1],\"title\":[1,638995698000000000,\"dev\",1],\"tags\":[1,638995698000000000,\"dev\",1]}}";
                set.Entities.Add(new EntityRow("contact", id, ++seq, 1, false, now, now, now, "dev", data, stamps));
                set.Outcomes.Add(new OutcomeRow("dev", id, "{\"succeeded\":{\"change_id\":\"" + id + "\",\"entity_type\":\"contact\",\"entity_id\":\"" + id + "\",\"sync_version\":1}}", now));
            }

            set.NewSeq = seq;
            return set;
        }

        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(users.Select((user, u) => Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                await using var session = await store.BeginWriteAsync(user.UserId, CancellationToken.None);
                await session.SaveAsync(Batch(u, b, session.CurrentSeq), CancellationToken.None);
                await session.CommitAsync(CancellationToken.None);
            }
        })));
        return new Result(writers * batches * BenchOptions.BatchSize, clock.Elapsed.TotalSeconds, 0, 0)
        {
            CpuPer100 = (Cpu() - cpu).TotalMilliseconds / (writers * batches),
        };
    }

    private static async Task<Result> PullAsync(TestServer server, int total)
    {
        var auth = await server.SignupAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        for (var b = 0; b < total / BenchOptions.BatchSize; b++)
        {
            await Send(http, auth.AccessToken, Body("dev_a", 0, b));
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth.AccessToken);
        // Warm-up pull of one page.
        await http.PostAsync("/api/v1/sync/pull", new StringContent("{\"device_id\":\"dev_w\",\"schema_version\":\"1\",\"limit\":10}", Encoding.UTF8, "application/json"));

        var latencies = new List<double>();
        var received = 0;
        string? cursor = null;
        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            var body = cursor is null
                ? "{\"device_id\":\"dev_b\",\"schema_version\":\"1\",\"limit\":1000}"
                : $"{{\"device_id\":\"dev_b\",\"schema_version\":\"1\",\"limit\":1000,\"cursor\":\"{cursor}\"}}";
            using var response = await http.PostAsync("/api/v1/sync/pull", new StringContent(body, Encoding.UTF8, "application/json"));
            var page = System.Text.Json.JsonSerializer.Deserialize(await response.Content.ReadAsStreamAsync(), SyncJsonContext.Default.PullResponse)!;
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            received += page.Changes.Count;
            cursor = page.Cursor;
            if (!page.HasMore)
            {
                break;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        if (received != total)
        {
            throw new InvalidOperationException($"pulled {received} changes, expected {total}");
        }

        var sorted = latencies.Order().ToArray();
        return new Result(received, seconds, Percentile(sorted, 0.5), Percentile(sorted, 0.99))
        {
            CpuPer100 = (Cpu() - cpu).TotalMilliseconds / (received / 100.0),
        };
    }

    private static TimeSpan Cpu() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
