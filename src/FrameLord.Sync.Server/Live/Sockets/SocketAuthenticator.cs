using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>A socket's user and the moment its token stops being valid (the socket is closed with 4401 then).</summary>
internal sealed record SocketIdentity(string UserId, DateTimeOffset ExpiresAt);

/// <summary>Validates a socket's access token with exactly the checks every HTTP request's token gets.</summary>
internal sealed class SocketAuthenticator(AuthOptions options, SymmetricSecurityKey key, TimeProvider time)
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

        // Requests are accepted up to the skew past expiry; a socket ends at the same moment.
        var expires = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc)) + options.ClockSkew;
        return new SocketIdentity(userId, expires);
    }

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
