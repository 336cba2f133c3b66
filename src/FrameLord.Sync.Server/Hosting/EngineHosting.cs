using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>The sync engine: push, pull and conflicts, note documents, and their background work (purge, compaction).</summary>
public static class EngineHosting
{
    public static WebApplicationBuilder AddSyncEngine(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdGenerator, RandomIdGenerator>();
        services.AddSingleton<SyncService>();
        services.AddSingleton<DocumentService>();
        services.AddSingleton(sp => new WireJson(sp.GetRequiredService<LimitOptions>().MaxJsonDepth));
        services.AddHostedService<DocumentCompactor>();
        services.AddHostedService<PurgeService>();
        return builder;
    }
}
