namespace FrameLord.Sync.Server.Configuration;

/// <summary>Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// The HMAC-SHA256 key that signs and checks access tokens: base64 of at least 32 bytes, or a
    /// string of at least 32 characters. When absent a random key is generated once and kept in
    /// <see cref="SigningKeyFile"/>.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Where a generated key is kept. Default: <c>signing.key</c> beside the SQLite file, else <c>data/signing.key</c>.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The token issuer (<c>iss</c>), checked on every request. Default <c>framelord-sync</c>.</summary>
    public string Issuer { get; set; } = "framelord-sync";

    /// <summary>The token audience (<c>aud</c>), checked on every request. Default <c>framelord</c>.</summary>
    public string Audience { get; set; } = "framelord";

    /// <summary>Access token lifetime. Default one hour.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Refresh token lifetime: a device that neither refreshes nor logs in for this long must log in again.
    /// Default 60 days.
    /// </summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(60);

    /// <summary>
    /// How long a server process trusts that an access token's device session is still signed in before it
    /// asks the store again. A revocation (logout, device removal, password change, account deletion) takes
    /// effect at once in the process that made it, and within this long (plus up to 15 s for open event
    /// streams and sockets) in the others. Default 30 seconds; zero asks the store on every request.
    /// </summary>
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Allowed clock difference when checking token lifetimes. Default 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PBKDF2 (HMAC-SHA512) iterations for new password hashes. Default 100,000.</summary>
    public int PasswordHashIterations { get; set; } = 100_000;
}
