using System.Security.Claims;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FrameLord.Sync.Server.Http;

/// <summary>The caller's user id comes from the validated token's <c>sub</c>, and from nowhere else.</summary>
internal static class UserIdentity
{
    public static string UserId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(JwtRegisteredClaimNames.Sub) is { Length: > 0 } sub
            ? sub
            : throw new ApiException(401, ErrorCodes.Unauthorized, "Authentication required.");
}
