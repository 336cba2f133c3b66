namespace FrameLord.Sync.Protocol;

/// <summary><c>POST /auth/signup</c> body.</summary>
public sealed record SignupRequest
{
    public required string Email { get; init; }
    public required string Password { get; init; }
    public string? DisplayName { get; init; }
    /// <summary>The signing-in device's id (optional; the server makes one when absent and returns it).</summary>
    public string? DeviceId { get; init; }
    /// <summary>A name the user knows the device by, listed by <c>GET /auth/devices</c> (optional).</summary>
    public string? DeviceName { get; init; }
}

/// <summary><c>POST /auth/login</c> body.</summary>
public sealed record LoginRequest
{
    public required string Email { get; init; }
    public required string Password { get; init; }
    /// <summary>The signing-in device's id (optional; the server makes one when absent and returns it).</summary>
    public string? DeviceId { get; init; }
    /// <summary>A name the user knows the device by, listed by <c>GET /auth/devices</c> (optional).</summary>
    public string? DeviceName { get; init; }
}

/// <summary>The answer to signup (201), login and refresh (200).</summary>
public sealed record AuthResponse
{
    public required string UserId { get; init; }
    /// <summary>The id of the user's Contact Zero, which the client creates locally and never syncs.</summary>
    public required string ContactZeroId { get; init; }
    public required string AccessToken { get; init; }
    public string TokenType { get; init; } = "Bearer";
    /// <summary>Seconds until <see cref="AccessToken"/> expires.</summary>
    public required int ExpiresIn { get; init; }
    /// <summary>
    /// Opaque; presented once to <c>POST /auth/refresh</c> for a new access token and a new refresh token.
    /// Null only from a server without device sessions.
    /// </summary>
    public string? RefreshToken { get; init; }
    /// <summary>The device this session belongs to: the one the request named, or the one the server made.</summary>
    public string? DeviceId { get; init; }
}
