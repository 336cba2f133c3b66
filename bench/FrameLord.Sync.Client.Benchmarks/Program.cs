using BenchmarkDotNet.Running;
using FrameLord.Sync.Client.Benchmarks;
using FrameLord.Sync.TestKit;

// dotnet run -c Release -- end-to-end [sqlite|postgres] [runs]   one-shot timings with a breakdown (push, pull)
// dotnet run -c Release -- client-only [runs]                   the client's own share: push to and pull from a free in-memory server
// dotnet run -c Release -- latency [writes] [pause-ms]           local write latency p50/p99, without and with the sync loop running
// dotnet run -c Release -- live-notes [characters] [pause-ms]     live note propagation SDK to SDK over the socket, against bare sockets
// dotnet run -c Release -- serve sqlite|postgres                 the server alone (the latency harness starts it as a child process)
// dotnet run -c Release -- --filter '*'                          the BenchmarkDotNet suite
if (args is ["end-to-end", ..])
{
    var backends = args.Length > 1 ? [Enum.Parse<Backend>(args[1], ignoreCase: true)] : new[] { Backend.Sqlite, Backend.Postgres };
    var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
    foreach (var backend in backends)
    {
        await EndToEndHarness.RunAsync(backend, runs);
    }

    return 0;
}

if (args is ["serve", var which])
{
    await ServerProcess.ServeAsync(Enum.Parse<Backend>(which, ignoreCase: true));
    return 0;
}

if (args is ["client-only", ..])
{
    await ClientOnlyHarness.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return 0;
}

if (args is ["latency", ..])
{
    await LatencyHarness.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return 0;
}

if (args is ["live-notes", ..])
{
    await LiveNoteHarness.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(EndToEndBenchmarks).Assembly).Run(args);
return 0;
