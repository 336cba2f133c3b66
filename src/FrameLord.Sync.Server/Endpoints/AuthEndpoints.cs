using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Http;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary><c>POST /auth/signup</c> and <c>POST /auth/login</c> (DESIGN 3.1): the only API routes open without a token.</summary>
internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        // Per address, whatever token the caller carries: a token of any self-made account must not
        // move the caller into a fresh bucket.
        var auth = api.MapGroup("/auth").AllowAnonymous().RequireRateLimiting(RateLimitingHosting.AuthPolicy).WithBodyLimit(MaxAuthBodyBytes);

        // No Location: the account has no resource of its own to point at.
        auth.MapPost("/signup", async (WireBody<SignupRequest> body, AccountService accounts, CancellationToken cancellationToken) =>
            TypedResults.Created((string?)null, await accounts.SignupAsync(body.Value, cancellationToken)));

        auth.MapPost("/login", async (WireBody<LoginRequest> body, AccountService accounts, CancellationToken cancellationToken) =>
            TypedResults.Ok(await accounts.LoginAsync(body.Value, cancellationToken)));

        return api;
    }

    /// <summary>
    /// Signup and login bodies hold an email, a password and a name: 16 KiB is plenty. Anyone may send
    /// them, so they get no share of the 10 MiB a sync body may use (413 above). The other bodies that
    /// hold a token or passwords (refresh, password change, account deletion) share this limit.
    /// </summary>
    internal const long MaxAuthBodyBytes = 16 * 1024;
}
