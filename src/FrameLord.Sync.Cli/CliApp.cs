using FrameLord.Sync.Cli.Commands;
using Spectre.Console.Cli;

namespace FrameLord.Sync.Cli;

/// <summary>The command line: the process entry point and the tests parse arguments through this one app.</summary>
internal static class CliApp
{
    public static CommandApp Create()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("framelord-sync");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Run the sync server. Takes the server's configuration: --urls, --Storage:Provider=postgres, ...");
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("Narrate three devices of one user syncing through an in-process server; exits 0 only if they converge.");
            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription("Deterministic multi-device simulation of the real engine on a virtual clock, with faults.");
        });
        return app;
    }

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        Create().RunAsync(args, cancellationToken);
}
