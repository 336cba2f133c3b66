namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// A device signed in to an account: one session at a time. <see cref="SessionId"/> is renewed at every
/// login from that device, and the access tokens carry it, so a token of an earlier session of the same
/// device no longer passes once a newer login replaced it or the device was revoked.
/// </summary>
public sealed record DeviceSession(
    string UserId,
    string DeviceId,
    string DeviceName,
    string SessionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt);

/// <summary>
/// A refresh token as stored: only its SHA-256 hash, the device session it belongs to, when it stops
/// being accepted, and when it was spent (rotated). Spent tokens are kept until they expire so that a
/// second use, the sign of a stolen token, is recognized.
/// </summary>
public sealed record RefreshTokenRecord(
    byte[] TokenHash,
    string UserId,
    string DeviceId,
    string SessionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>What presenting a refresh token did.</summary>
public enum RefreshVerdict
{
    /// <summary>The token was live: it is now spent and its successor is stored.</summary>
    Rotated,

    /// <summary>No such token, or its device was revoked since.</summary>
    Unknown,

    /// <summary>The token was past its expiry; nothing changed.</summary>
    Expired,

    /// <summary>The token had been spent already: every refresh token of its device is revoked.</summary>
    Reused,
}

/// <summary>The answer to a refresh: the verdict and, when rotated or reused, the device session concerned.</summary>
public sealed record RefreshOutcome(RefreshVerdict Verdict, DeviceSession? Session);
