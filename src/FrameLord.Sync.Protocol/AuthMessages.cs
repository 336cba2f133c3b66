namespace FrameLord.Sync.Protocol;

/// <summary><c>POST /auth/signup</c> body.</summary>
public sealed record SignupRequest
{
    public required string Email { get; init; }
    public required string Password { get; init; }
    public string? DisplayName { get; init; }
}

/// <summary><c>POST /auth/login</c> body.</summary>
public sealed record LoginRequest
{
    public required string Email { get; init; }
    public required string Password { get; init; }
}

/// <summary>The answer to signup (201) and login (200).</summary>
public sealed record AuthResponse
{
    public required string UserId { get; init; }
    /// <summary>The id of the user's Contact Zero, which the client creates locally and never syncs.</summary>
    public required string ContactZeroId { get; init; }
    public required string AccessToken { get; init; }
    public string TokenType { get; init; } = "Bearer";
    /// <summary>Seconds until <see cref="AccessToken"/> expires.</summary>
    public required int ExpiresIn { get; init; }
}
