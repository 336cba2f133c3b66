using FrameLord.Sync.Server.Configuration;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Where the server's settings come from and how they are bound: sections Storage, Auth, Sync and Limits;
/// <c>appsettings.json</c>, environment <c>Key__Sub</c> and command line <c>--Key=Value</c> all work.
/// </summary>
public static class ConfigurationHosting
{
    /// <summary>
    /// The builder, with <c>appsettings.json</c> read from the server's own folder (a published server is
    /// started from anywhere), and quiet request logging even when no settings file is found: the
    /// framework logs several lines per request at Information.
    /// </summary>
    public static WebApplicationBuilder CreateSyncBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Lowest precedence: the settings file, the environment and the command line all override these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            },
        });
        return builder;
    }

    /// <summary>Binds the four sections, each available as options and as its plain value.</summary>
    public static WebApplicationBuilder AddSyncOptions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.Configure<StorageOptions>(config.GetSection(StorageOptions.Section));
        services.Configure<AuthOptions>(config.GetSection(AuthOptions.Section));
        services.Configure<SyncOptions>(config.GetSection(SyncOptions.Section));
        services.Configure<LimitOptions>(config.GetSection(LimitOptions.Section));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SyncOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LimitOptions>>().Value);
        return builder;
    }

    /// <summary>
    /// The limits as configured when the app is composed: Kestrel's and the rate limiter's settings are
    /// fixed before the service provider exists.
    /// </summary>
    internal static LimitOptions Limits(this WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(LimitOptions.Section).Get<LimitOptions>() ?? new LimitOptions();
}
