using System.Text;
using FrameLord.Sync.Server.Benchmarks;
using FrameLord.Sync.TestKit;

// Usage: dotnet run -c Release --project bench/FrameLord.Sync.Server.Benchmarks -- [--backend sqlite|postgres|all]
//        [--batches N] [--users 1,10,50] [--out FILE.md]
// PostgreSQL comes from FRAMELORD_TEST_POSTGRES (run under eng/with-postgres.sh).
var options = BenchOptions.Parse(args);
var rows = new List<string>();
foreach (var backend in options.Backends)
{
    if (backend == Backend.Postgres && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresEnvironment.Variable)))
    {
        Console.Error.WriteLine("skipping postgres: FRAMELORD_TEST_POSTGRES is not set (run under eng/with-postgres.sh)");
        continue;
    }

    rows.AddRange(await ServerBench.RunAsync(backend, options));
}

var table = new StringBuilder()
    .AppendLine("| store | scenario | changes | seconds | changes/s | p50 ms | p99 ms | vs raw | CPU ms / 100 changes |")
    .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var row in rows)
{
    table.AppendLine(row);
}

Console.WriteLine(table.ToString());
if (options.Out is { } path)
{
    await File.WriteAllTextAsync(path, table.ToString());
}
