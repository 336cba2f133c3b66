using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// The store <c>Storage:Provider</c> names, among the backends the host registered (each store assembly
/// contributes its own: <c>AddSqliteSyncStore</c>, <c>AddPostgresSyncStore</c>), created once, its schema
/// created or migrated before the app starts.
/// </summary>
public static class StorageHosting
{
    public static WebApplicationBuilder AddSyncStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StoreFaults>();
        services.TryAddSingleton(sp => new SelectedStoreBackend(
            StoreBackends.Select(sp.GetServices<ISyncStoreBackend>(), sp.GetRequiredService<StorageOptions>().Provider)));
        services.TryAddSingleton(sp => sp.GetRequiredService<SelectedStoreBackend>().Backend.Create(
            sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StoreFaults>()));
        return builder;
    }

    /// <summary>Creates or migrates the store's schema; call it after <c>Build</c>, before the app starts.</summary>
    public static Task InitializeSyncStorageAsync(this WebApplication app) =>
        app.Services.GetRequiredService<ISyncStore>().InitializeAsync(CancellationToken.None);
}
