using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Http;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary><c>POST /auth/signup</c> and <c>POST /auth/login</c> (DESIGN 3.1): the only API routes open without a token.</summary>
internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        // Per address, whatever token the caller carries: a token of any self-made account must not
        // move the caller into a fresh bucket.
        var auth = api.MapGroup("/auth").AllowAnonymous().RequireRateLimiting(RateLimitingHosting.AuthPolicy);

        auth.MapPost("/signup", async (HttpContext context, AccountService accounts, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.SignupRequest, AuthBodyLimit(limits.Value), context.RequestAborted);
            var response = await accounts.SignupAsync(request, context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.AuthResponse, statusCode: StatusCodes.Status201Created);
        });

        auth.MapPost("/login", async (HttpContext context, AccountService accounts, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.LoginRequest, AuthBodyLimit(limits.Value), context.RequestAborted);
            var response = await accounts.LoginAsync(request, context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.AuthResponse);
        });

        return api;
    }

    /// <summary>
    /// Signup and login bodies hold an email, a password and a name: 16 KiB is plenty. Anyone may send
    /// them, so they get no share of the 10 MiB a sync body may use (413 above).
    /// </summary>
    internal const long MaxAuthBodyBytes = 16 * 1024;

    private static long AuthBodyLimit(LimitOptions limits) => Math.Min(limits.MaxRequestBodyBytes, MaxAuthBodyBytes);
}
