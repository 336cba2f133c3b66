using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// A socket's user, the device session of its token (null for a token without one), and the moment its token
/// stops being valid (the socket is closed with 4401 then, or when the session is revoked).
/// </summary>
internal sealed record SocketIdentity(string UserId, DateTimeOffset ExpiresAt, string? DeviceId = null, string? SessionId = null);

/// <summary>
/// Validates a socket's access token with exactly the checks every HTTP request's token gets, the session
/// check included (<see cref="SessionGuard"/>).
/// </summary>
internal sealed class SocketAuthenticator(AuthOptions options, SymmetricSecurityKey key, TimeProvider time, SessionGuard sessions)
{
    /// <summary>Longer strings are not tokens this server issued; refused before any parsing.</summary>
    private const int MaxTokenLength = 8192;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters = TokenService.ValidationParameters(options, key, time);

    public async Task<SocketIdentity?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is not { Length: > 0 } userId)
        {
            return null;
        }

        var deviceId = result.ClaimsIdentity.FindFirst(TokenService.DeviceClaim)?.Value;
        var sessionId = result.ClaimsIdentity.FindFirst(TokenService.SessionClaim)?.Value;
        if (!await sessions.IsActiveAsync(userId, deviceId, sessionId, CancellationToken.None))
        {
            return null;
        }

        // Requests are accepted up to the skew past expiry; a socket ends at the same moment.
        var expires = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc)) + options.ClockSkew;
        return new SocketIdentity(userId, expires, deviceId, sessionId);
    }

    /// <summary>Whether the identity's session is still active (asked again at each keep-alive, for revocations made elsewhere).</summary>
    public ValueTask<bool> IsStillActiveAsync(SocketIdentity identity, CancellationToken cancellationToken) =>
        sessions.IsActiveAsync(identity.UserId, identity.DeviceId, identity.SessionId, cancellationToken);

    /// <summary>The token of a y-websocket upgrade: <c>?token=</c> (browsers cannot set headers) or a bearer header.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        if (request.Query.TryGetValue("token", out var query) && query.Count == 1)
        {
            return query[0];
        }

        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
