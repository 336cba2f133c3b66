namespace FrameLord.Sync.Server.Configuration;

/// <summary>
/// Behind a reverse proxy (section <c>ForwardedHeaders</c>): whether the client address and scheme a trusted proxy
/// forwards (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>) replace the connection's, so that every per-address
/// limit (signups and logins per minute, anonymous requests in flight, the per-address fallback of the rate limit)
/// counts clients, not the proxy. Off by default: a server reached directly must not let a client pick its address.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Whether forwarded headers are honoured at all. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Addresses of the proxies whose headers are trusted (IPv4 or IPv6). Default empty; when both this and
    /// <see cref="KnownNetworks"/> are empty, only a proxy on the loopback address is trusted. Headers from any
    /// other peer are ignored.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (<c>10.0.0.0/8</c>). Default empty (see <see cref="KnownProxies"/>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a chain are unwound, from the right of <c>X-Forwarded-For</c>. Default 1 (one proxy).</summary>
    public int ForwardLimit { get; set; } = 1;
}
