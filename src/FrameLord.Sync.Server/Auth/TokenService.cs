using System.Security.Claims;
using FrameLord.Sync.Server.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Issues HS256 access tokens whose <c>sub</c> is the user id and, for tokens of a device session, <c>did</c>
/// and <c>sid</c> its device and session ids (checked against the store at authentication, see
/// <see cref="SessionGuard"/>); times come from the injected clock.
/// </summary>
internal sealed class TokenService(AuthOptions options, SymmetricSecurityKey key, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>The claim holding the device id of the token's session.</summary>
    public const string DeviceClaim = "did";

    /// <summary>The claim holding the session id, renewed at each login of the device.</summary>
    public const string SessionClaim = "sid";

    public (string Token, int ExpiresInSeconds) Issue(string userId, string? deviceId = null, string? sessionId = null)
    {
        var claims = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId)]);
        if (deviceId is not null && sessionId is not null)
        {
            claims.AddClaim(new Claim(DeviceClaim, deviceId));
            claims.AddClaim(new Claim(SessionClaim, sessionId));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.TokenLifetime,
            Subject = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return (token, (int)options.TokenLifetime.TotalSeconds);
    }

    /// <summary>The validation every request's token gets: signature (HS256 only), issuer, audience, lifetime.</summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions options, SymmetricSecurityKey key, TimeProvider time) => new()
    {
        ValidateIssuer = true,
        ValidIssuer = options.Issuer,
        ValidateAudience = true,
        ValidAudience = options.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = options.ClockSkew,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return (notBefore is null || notBefore.Value - parameters.ClockSkew <= now)
                && expires is not null && now < expires.Value + parameters.ClockSkew;
        },
    };
}
