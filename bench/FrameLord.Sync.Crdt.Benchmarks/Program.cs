// Commands: `trace FILE.json.gz [--client-id N] [--write-update OUT] [--compare-yjs]` (see TraceCommand),
// `blocks [--compare-yjs]` (see BlocksCommand), `profile FILE.json.gz [rounds]` (see ProfileCommand),
// `synth OUT.json.gz [--seed N]` (see SynthCommand), `jit FILE.json.gz [top]` (see JitCommand);
// anything else goes to BenchmarkDotNet (the B1 to B4 suite in CrdtBenchmarks).
using BenchmarkDotNet.Running;
using FrameLord.Sync.Crdt.Benchmarks;

if (args.Length > 0 && args[0] == "profile")
{
    return ProfileCommand.Run(args);
}

if (args.Length > 0 && args[0] == "blocks")
{
    return BlocksCommand.Run(args);
}

if (args.Length > 0 && args[0] == "jit")
{
    return JitCommand.Run(args);
}

if (args.Length > 0 && args[0] == "synth")
{
    return SynthCommand.Run(args);
}

if (args.Length > 0 && args[0] == "trace")
{
    return TraceCommand.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(TraceCommand).Assembly).Run(args);
return 0;
