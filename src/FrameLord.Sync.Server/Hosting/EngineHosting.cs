using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.Server.Storage;
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
        // Built here because the constructors that take the metrics are the host's own (internal).
        services.AddSingleton(sp => new SyncService(sp.GetRequiredService<ISyncStore>(), sp.GetRequiredService<SyncOptions>(),
            sp.GetRequiredService<LimitOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IIdGenerator>(),
            sp.GetService<SyncMetrics>()));
        services.AddSingleton(sp => new DocumentService(sp.GetRequiredService<ISyncStore>(), sp.GetRequiredService<SyncOptions>(),
            sp.GetRequiredService<LimitOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<SyncMetrics>()));
        services.AddSingleton(sp => new WireJson(sp.GetRequiredService<LimitOptions>().MaxJsonDepth));
        services.AddHostedService<DocumentCompactor>();
        services.AddHostedService<PurgeService>();
        return builder;
    }
}
