using FrameLord.Sync.Cli;

return await CliApp.RunAsync(args);
