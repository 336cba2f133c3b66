using FrameLord.Sync.Server.Hosting;
using Spectre.Console.Cli;

namespace FrameLord.Sync.Cli.Commands;

/// <summary><c>serve</c>: the server, configured exactly as the server project (its arguments pass through).</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    internal sealed class Settings : CommandSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = await SyncServerApp.BuildAsync(context.Remaining.Raw.ToArray());
        await app.RunAsync();
        return 0;
    }
}
