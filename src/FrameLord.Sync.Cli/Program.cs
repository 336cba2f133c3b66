using FrameLord.Sync.Cli.Commands;
using Spectre.Console.Cli;

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
return await app.RunAsync(args);
