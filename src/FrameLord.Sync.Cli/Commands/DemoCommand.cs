using FrameLord.Sync.Cli.Demo;
using Spectre.Console.Cli;

namespace FrameLord.Sync.Cli.Commands;

/// <summary><c>demo</c>: the narrated tour; exit 0 only when every device converged.</summary>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    internal sealed class Settings : CommandSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        await DemoScript.RunAsync(new SpectreNarrator(), cancellationToken) ? 0 : 1;
}
