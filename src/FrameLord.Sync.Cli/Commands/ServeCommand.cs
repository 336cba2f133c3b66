using FrameLord.Sync.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Cli;

namespace FrameLord.Sync.Cli.Commands;

/// <summary><c>serve</c>: the server, configured exactly as the server project (its arguments pass through).</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    internal sealed class Settings : CommandSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = await SyncServerApp.BuildAsync(ServerArguments(context.Arguments));
        await app.StartAsync(cancellationToken);
        // Returns once the host stopped: on Ctrl+C or SIGTERM, or when the caller's token is cancelled.
        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>
    /// Everything after <c>serve</c>, as typed. The parser's view of unknown options (<c>Remaining</c>)
    /// holds only what follows a <c>--</c>, so <c>serve --urls …</c> used to reach the server empty.
    /// </summary>
    internal static string[] ServerArguments(IReadOnlyList<string> arguments)
    {
        var start = 0;
        while (start < arguments.Count && !string.Equals(arguments[start], "serve", StringComparison.OrdinalIgnoreCase))
        {
            start++;
        }

        return arguments.Skip(start + 1).Where(a => a != "--").ToArray();
    }
}
