using System.Diagnostics;
using System.Globalization;
using System.Text;
using FrameLord.Sync.TestKit;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Benchmarks;

/// <summary>
/// SQLite durability: the same HTTP push of 50 users (batches of 100) at synchronous=NORMAL and FULL,
/// alternating in one run so both see the same machine; then 50 users pushing back to back for a
/// fixed time at FULL, with the WAL's size sampled every second and read beside the database's at the end.
/// </summary>
internal static class DurabilityBench
{
    public static async Task<string> RunAsync(int users, int batches, int rounds, TimeSpan walRun)
    {
        var table = new StringBuilder()
            .AppendLine("| store | scenario | changes | seconds | changes/s | p50 ms | p99 ms | vs NORMAL | CPU ms / 100 changes |")
            .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var rates = new Dictionary<string, List<double>> { ["normal"] = [], ["full"] = [] };
        for (var round = 0; round < rounds; round++)
        {
            foreach (var synchronous in round % 2 == 0 ? new[] { "normal", "full" } : ["full", "normal"])
            {
                await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
                await using var server = await TestServer.StartAsync(db, Settings(synchronous));
                var result = await ServerBench.PushAsync(server, users, batches, TimeSpan.Zero);
                rates[synchronous].Add(result.Rate);
                var ratio = synchronous == "full" && rates["normal"].Count > 0 ? result.Rate / rates["normal"][^1] : (double?)null;
                table.AppendLine(ServerBench.Row("sqlite", $"HTTP push, {users} users, synchronous={synchronous.ToUpperInvariant()} (round {round + 1})", result, ratio));
                Console.Error.WriteLine(table.ToString().Split('\n')[^2]);
            }
        }

        table.AppendLine().AppendLine(await WalRunAsync(users, walRun));
        return table.ToString();
    }

    private static Dictionary<string, string> Settings(string synchronous) => new()
    {
        ["Limits:RequestsPerMinute"] = "100000000",
        ["Storage:SqliteSynchronous"] = synchronous,
    };

    /// <summary>Users pushing back to back for <paramref name="duration"/>; the WAL's largest and final size beside the database's.</summary>
    private static async Task<string> WalRunAsync(int users, TimeSpan duration)
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        await using var server = await TestServer.StartAsync(db, Settings("full"));
        var file = new SqliteConnectionStringBuilder(db.Storage.ConnectionString).DataSource;
        var tokens = new List<string>();
        for (var u = 0; u < users; u++)
        {
            tokens.Add((await server.SignupAsync()).AccessToken);
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000 };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        long largestWal = 0;
        var changes = 0L;
        var clock = Stopwatch.StartNew();
        using var done = new CancellationTokenSource(duration);
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                largestWal = Math.Max(largestWal, Size(file + "-wal"));
                await Task.Delay(1000);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, users).Select(async u =>
        {
            for (var batch = 0; !done.IsCancellationRequested; batch++)
            {
                await ServerBench.Send(http, tokens[u], ServerBench.Body($"dev_{u}", u, batch));
                Interlocked.Add(ref changes, BenchOptions.BatchSize);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        await sampler;
        return string.Create(CultureInfo.InvariantCulture,
            $"WAL under continuous writes (synchronous=FULL, Storage:SqliteWalTruncateBytes at its default of 64 MiB): {users} users pushed {changes:N0} changes in {seconds:F0} s ({changes / seconds:N0} changes/s); at the end the WAL is {Size(file + "-wal") / 1048576.0:F1} MiB beside a {Size(file) / 1048576.0:F1} MiB database; the largest WAL seen (sampled every second) was {largestWal / 1048576.0:F1} MiB.");
    }

    private static long Size(string path) => new FileInfo(path) is { Exists: true } f ? f.Length : 0;
}
