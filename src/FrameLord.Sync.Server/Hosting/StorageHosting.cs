using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>The store <c>Storage:Provider</c> names, created once, its schema created or migrated before the app starts.</summary>
public static class StorageHosting
{
    public static WebApplicationBuilder AddSyncStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StoreFaults>();
        services.TryAddSingleton(sp => StoreFactory.Create(
            sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StoreFaults>()));
        return builder;
    }

    /// <summary>Creates or migrates the store's schema; call it after <c>Build</c>, before the app starts.</summary>
    public static Task InitializeSyncStorageAsync(this WebApplication app) =>
        app.Services.GetRequiredService<ISyncStore>().InitializeAsync(CancellationToken.None);
}
