using FrameLord.Sync.Server.Hosting;

var app = await SyncServerApp.BuildAsync(args);
await app.RunAsync();
