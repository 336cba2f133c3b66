using System.Text;
using FrameLord.Sync.Server.Benchmarks;
using FrameLord.Sync.TestKit;

// Usage: dotnet run -c Release --project bench/FrameLord.Sync.Server.Benchmarks -- [--backend sqlite|postgres|all]
//        [--batches N] [--users 1,10,50] [--out FILE.md]
//        | documents [--backend B] | hostile-documents [--sizes 1,4,10] [--shapes chain,...] [--backend B]
//        | live-memory [notes] [blocks,...]
//        | durability [users] [batches] [rounds] [wal-run-seconds]   (SQLite NORMAL against FULL, and the WAL's size)
// PostgreSQL comes from FRAMELORD_TEST_POSTGRES (run under eng/with-postgres.sh).
if (args.Length > 0 && args[0] == "engine-loop")
{
    // For profiling: the sync engine pushing batches of 100 new contacts in-process for N seconds.
    await ServerBench.EngineLoopAsync(Enum.Parse<Backend>(args[1], ignoreCase: true), TimeSpan.FromSeconds(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)));
    return;
}

if (args.Length > 0 && args[0] == "durability")
{
    // SQLite at synchronous=NORMAL against FULL, then the WAL under a long run:
    // durability [users] [batches per user] [rounds] [seconds of the WAL run]
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Console.WriteLine(await DurabilityBench.RunAsync(Arg(1, 50), Arg(2, 40), Arg(3, 2), TimeSpan.FromSeconds(Arg(4, 100))));
    return;
}

if (args.Length > 0 && args[0] == "hostile-documents")
{
    // Hostile Yjs update shapes through the document sync path: hostile-documents [--sizes 1,4,10] [--shapes a,b] [--backend sqlite]
    string Arg(string name, string fallback) => args.Contains(name) ? args[Array.IndexOf(args, name) + 1] : fallback;
    var sizes = Arg("--sizes", "1,4,10").Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    var shapes = args.Contains("--shapes") ? Arg("--shapes", "").Split(',') : HostileUpdates.Shapes;
    var backend = Enum.Parse<Backend>(Arg("--backend", "sqlite"), ignoreCase: true);
    if (args.Contains("--steps"))
    {
        foreach (var shape in shapes)
        {
            foreach (var size in sizes)
            {
                Console.WriteLine(HostileDocumentBench.Steps(shape, size, int.Parse(Arg("--rounds", "7"), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return;
    }

    if (args.Contains("--phases"))
    {
        foreach (var shape in shapes)
        {
            foreach (var size in sizes)
            {
                Console.WriteLine(HostileDocumentBench.Phases(shape, size));
            }
        }

        return;
    }

    Console.WriteLine(HostileDocumentBench.Header + await HostileDocumentBench.RunAsync(backend, sizes, shapes));
    return;
}

if (args.Length > 0 && args[0] == "live-memory")
{
    // Memory per open note on the live endpoint: live-memory [notes] [blocks,blocks,...]
    var notes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
    var blocks = (args.Length > 2 ? args[2] : "50,500,2000").Split(',').Select(b => int.Parse(b, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    Console.WriteLine(LiveMemoryBench.Header + await LiveMemoryBench.RunAsync(notes, blocks));
    return;
}

if (args.Length > 0 && args[0] == "documents")
{
    var backends = args.Contains("--backend") ? [Enum.Parse<Backend>(args[Array.IndexOf(args, "--backend") + 1], ignoreCase: true)] : new[] { Backend.Sqlite, Backend.Postgres };
    var lines = new StringBuilder()
        .AppendLine("| store | scenario | figure | figure | figure |")
        .AppendLine("|---|---|---|---|---|");
    foreach (var backend in backends)
    {
        if (backend == Backend.Postgres && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresEnvironment.Variable)))
        {
            Console.Error.WriteLine("skipping postgres: FRAMELORD_TEST_POSTGRES is not set");
            continue;
        }

        lines.Append(await DocumentBench.RunAsync(backend));
    }

    Console.WriteLine(lines.ToString());
    return;
}

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
