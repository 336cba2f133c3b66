using System.Net;
using System.Threading.RateLimiting;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// What a public server needs against slow, oversized and abusive clients and against its operator's
/// surprises (DESIGN 8): where settings are read from, Kestrel's connection limits, the per-address
/// limits of anonymous and authentication requests, and the wire-size check of request bodies.
/// </summary>
public static class ServerProtection
{
    /// <summary>The rate limiting policy of signup and login: per address, whatever token comes with them.</summary>
    public const string AuthPolicy = "auth-per-address";

    /// <summary>
    /// The builder, with <c>appsettings.json</c> read from the server's own folder (a published server is
    /// started from anywhere), and quiet request logging even when no settings file is found: the
    /// framework logs several lines per request at Information.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
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

    public static void AddServerProtection(WebApplicationBuilder builder, LimitOptions limits)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The body limit itself is enforced as bytes arrive (WireBodyLimit, RequestBody); Kestrel's cap
            // only bounds what is read and discarded so an over-limit client still receives its 413.
            kestrel.Limits.MaxRequestBodySize = Math.Max(limits.MaxDiscardedBodyBytes, limits.MaxRequestBodyBytes);
            kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyBytesPerSecond > 0
                ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
                : null;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections > 0 ? limits.MaxConcurrentConnections : null;
        });

        var services = builder.Services;
        services.AddSingleton<PasswordHashGate>();
        services.AddSingleton<FailedLoginLimiter>();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(AuthPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                "auth:" + context.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.AuthRequestsPerAddressPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));

            // Requests without a valid token (and every signup or login) are capped in flight per address,
            // so a few hundred slow anonymous clients cannot hold the server's connections and memory.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.User.Identity?.IsAuthenticated == true && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null
                    ? RateLimitPartition.GetNoLimiter("authenticated")
                    : RateLimitPartition.GetConcurrencyLimiter("anon:" + context.Connection.RemoteIpAddress, _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = limits.MaxConcurrentAnonymousRequestsPerAddress,
                        QueueLimit = 0,
                    }));
        });
    }

    /// <summary>
    /// Registers the trusted proxies of <see cref="ForwardedHeadersSettings"/> (nothing when it is off); an address
    /// or network that does not parse stops the start with a message naming it.
    /// </summary>
    public static void AddForwardedHeaders(WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() ?? new();
        if (!settings.Enabled)
        {
            return;
        }

        if (settings.ForwardLimit < 1)
        {
            throw new InvalidOperationException("ForwardedHeaders:ForwardLimit must be 1 or more.");
        }

        var proxies = settings.KnownProxies.Select(p => IPAddress.TryParse(p, out var address)
            ? address : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{p}' is not an IP address.")).ToList();
        var networks = settings.KnownNetworks.Select(n => System.Net.IPNetwork.TryParse(n, out var network)
            ? network : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{n}' is not a network in CIDR notation.")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = settings.ForwardLimit;
            if (proxies.Count > 0 || networks.Count > 0)
            {
                // Only what the operator named: the loopback default would otherwise stay trusted too.
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                proxies.ForEach(options.KnownProxies.Add);
                networks.ForEach(options.KnownIPNetworks.Add);
            }
        });
    }

    /// <summary>First in the pipeline when <see cref="ForwardedHeadersSettings.Enabled"/>: every later step sees the client's address.</summary>
    public static void UseForwardedHeaders(WebApplication app)
    {
        if (app.Configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() is { Enabled: true })
        {
            ForwardedHeadersExtensions.UseForwardedHeaders(app);
        }
    }

    /// <summary>Before request decompression: the wire-size check of every body.</summary>
    public static void UseWireBodyLimit(WebApplication app, LimitOptions limits) => Http.WireBodyLimit.UseWireBodyLimit(app, limits.MaxRequestBodyBytes);
}
