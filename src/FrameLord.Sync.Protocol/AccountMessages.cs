namespace FrameLord.Sync.Protocol;

/// <summary><c>POST /auth/refresh</c> body.</summary>
public sealed record RefreshRequest
{
    public required string RefreshToken { get; init; }
}

/// <summary><c>POST /auth/password</c> body.</summary>
public sealed record ChangePasswordRequest
{
    public required string CurrentPassword { get; init; }
    public required string NewPassword { get; init; }
}

/// <summary><c>DELETE /account</c> body: the password, confirmed once more.</summary>
public sealed record DeleteAccountRequest
{
    public required string Password { get; init; }
}

/// <summary><c>GET /auth/devices</c> answer.</summary>
public sealed record DeviceList
{
    public required IReadOnlyList<DeviceInfo> Devices { get; init; }
}

/// <summary>One signed-in device.</summary>
public sealed record DeviceInfo
{
    public required string DeviceId { get; init; }
    public required string DeviceName { get; init; }
    /// <summary>When the device's current session began (its last login).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The device's last login or token refresh.</summary>
    public required DateTimeOffset LastSeenAt { get; init; }
}
