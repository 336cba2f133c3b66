using System.Reflection;
using System.Security.Claims;
using FrameLord.Sync.Server.Auth;

namespace FrameLord.Sync.Server.Http;

/// <summary>
/// The authenticated caller of a route, bound as a handler parameter. The user is the validated token's
/// <c>sub</c> and nothing else (DESIGN 3: never a body or route field); the device is the token's device
/// claim, absent from a token issued without a device session.
/// </summary>
internal sealed class Caller : IBindableFromHttpContext<Caller>
{
    private Caller(string userId, string? deviceId, ClaimsPrincipal principal)
    {
        UserId = userId;
        DeviceId = deviceId;
        Principal = principal;
    }

    public string UserId { get; }

    public string? DeviceId { get; }

    /// <summary>The token's claims, for the session services that also need its session id.</summary>
    public ClaimsPrincipal Principal { get; }

    /// <summary>The caller of this request; a principal without a <c>sub</c> is 401 <c>UNAUTHORIZED</c>.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<Caller?>(Of(context.User));

    internal static Caller Of(ClaimsPrincipal principal) =>
        new(principal.UserId(), principal.FindFirstValue(TokenService.DeviceClaim), principal);
}
