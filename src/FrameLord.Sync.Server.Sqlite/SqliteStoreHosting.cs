using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>Makes the SQLite store available to <c>AddSyncStorage</c> under <c>Storage:Provider=sqlite</c>.</summary>
public static class SqliteStoreHosting
{
    public static IServiceCollection AddSqliteSyncStore(this IServiceCollection services)
    {
        services.AddSingleton<ISyncStoreBackend, SqliteStoreBackend>();
        return services;
    }
}
