using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Makes the PostgreSQL store available to <c>AddSyncStorage</c> under <c>Storage:Provider=postgres</c>, with
/// the live relay between the server processes sharing the database (it does nothing on another store).
/// </summary>
public static class PostgresStoreHosting
{
    public static IServiceCollection AddPostgresSyncStore(this IServiceCollection services)
    {
        services.AddSingleton<ISyncStoreBackend, PostgresStoreBackend>();
        services.AddHostedService<PostgresLiveRelay>();
        return services;
    }
}
