using FrameLord.Sync.Server.Hosting;

// The composition, concern by concern, is SyncServerApp.BuildAsync: the CLI's serve and the tests build the same app.
var app = await SyncServerApp.BuildAsync(args);
await app.RunAsync();
