using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// Runs the rest of an authorized request inside its <see cref="RequestLogScope"/>. The authorization
/// middleware hands the remainder of the pipeline to this handler once the token is validated, which
/// is the first point where the user is known, so no middleware has to be placed by hand.
/// </summary>
internal sealed class ScopedAuthorizationResultHandler(ILogger<ScopedAuthorizationResultHandler> logger) : IAuthorizationMiddlewareResultHandler
{
    /// <summary>The device claim of access tokens issued for a device session.</summary>
    private const string DeviceClaim = Auth.TokenService.DeviceClaim;

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded || context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is not { Length: > 0 } userId)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var scope = new RequestLogScope(userId, context.User.FindFirst(DeviceClaim)?.Value);
        using (scope.Enter())
        using (logger.BeginScope(scope))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}
