using System.Threading.RateLimiting;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Request rates (DESIGN 8): per user on the API (per address before login), per address on signup and
/// login whatever token they carry, and a cap on requests in flight per address without a valid token.
/// Every refusal is a 429 <c>RATE_LIMITED</c> with <c>Retry-After</c>.
/// </summary>
public static class RateLimitingHosting
{
    /// <summary>The policy of the whole API: per user, per address before login.</summary>
    public const string UserPolicy = "per-user";

    /// <summary>The rate limiting policy of signup and login: per address, whatever token comes with them.</summary>
    public const string AuthPolicy = "auth-per-address";

    public static WebApplicationBuilder AddSyncRateLimiting(this WebApplicationBuilder builder)
    {
        var limits = builder.Limits();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(UserPolicy, context =>
            {
                var sub = context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
                var key = sub is not null ? "u:" + sub : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.RequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
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
            options.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? (int)Math.Ceiling(retryAfter.TotalSeconds)
                    : 1; // concurrency limits carry no retry time: a slot frees as soon as a request ends
                await ErrorResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, new ErrorBody
                {
                    Code = ErrorCodes.RateLimited,
                    Message = "Too many requests; retry after the given number of seconds.",
                    RetryAfterSeconds = Math.Max(1, seconds),
                });
            };
        });
        return builder;
    }

    /// <summary>After authentication, so the per-user policy sees the user.</summary>
    public static WebApplication UseSyncRateLimiting(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }
}
