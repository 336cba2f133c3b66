using FrameLord.Sync.Server.Observability;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// The server's composition, one extension per concern (each in its own file of a <c>Hosting/</c> folder:
/// the server assembly's, and each store's). The executable (<c>Program.cs</c>), the CLI's <c>serve</c>, the
/// tests and the benchmarks all build the server through <see cref="BuildAsync"/>, so they run the same app.
/// </summary>
public static class SyncServerApp
{
    /// <summary>
    /// Builds the app and creates or migrates the store's schema. <paramref name="configure"/> runs after
    /// every concern is added, before the app is built (tests replace services there).
    /// </summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ConfigurationHosting.CreateSyncBuilder(args);
        builder.AddSyncOptions();
        builder.AddSyncStorage();
        builder.Services.AddSqliteSyncStore();
        builder.Services.AddPostgresSyncStore();
        builder.AddSyncEngine();
        builder.AddSyncForwardedHeaders();
        builder.AddSyncHttp();
        builder.AddSyncAuthentication();
        builder.AddSyncRateLimiting();
        builder.AddSyncLive();
        builder.AddSyncObservability();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseSyncForwardedHeaders();
        app.UseSyncHttp();
        app.UseSyncWebApp();
        app.UseSyncAuthentication();
        app.UseSyncRateLimiting();

        app.MapSyncHealth();
        app.MapSyncOpenApi();
        app.MapSyncMetrics();
        app.MapSyncApi();
        app.MapSyncLive();

        await app.InitializeSyncStorageAsync();
        return app;
    }
}
