using System.Net;
using FrameLord.Sync.Server.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Behind a reverse proxy (<see cref="ForwardedHeadersSettings"/>, off by default): the client address and scheme a
/// trusted proxy forwards replace the connection's before anything else runs, so every per-address limit counts clients.
/// </summary>
public static class ForwardedHeadersHosting
{
    /// <summary>
    /// Registers the trusted proxies (nothing when the setting is off); an address or network that does not parse
    /// stops the start with a message naming it.
    /// </summary>
    public static WebApplicationBuilder AddSyncForwardedHeaders(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() ?? new();
        if (!settings.Enabled)
        {
            return builder;
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
        return builder;
    }

    /// <summary>First in the pipeline when the setting is on: every later step sees the client's address.</summary>
    public static WebApplication UseSyncForwardedHeaders(this WebApplication app)
    {
        if (app.Configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() is { Enabled: true })
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
