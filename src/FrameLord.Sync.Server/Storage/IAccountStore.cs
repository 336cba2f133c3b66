namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// The account lifecycle part of the storage contract (DESIGN 3.1): device sessions and their refresh
/// tokens, password changes, the listing an export walks, and deleting an account with every row of it.
/// </summary>
public interface IAccountStore
{
    Task<UserRecord?> FindUserByIdAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a session for a device in one transaction: the device's row is created or replaced (a new
    /// session id, name and times; a replaced session's refresh tokens are deleted) and
    /// <paramref name="token"/> is stored. False when the user does not exist (nothing is written).
    /// </summary>
    Task<bool> StartSessionAsync(DeviceSession session, RefreshTokenRecord token, CancellationToken cancellationToken);

    /// <summary>
    /// Presents a refresh token (by hash) in one transaction: a live one is spent and <paramref name="next"/>
    /// (whose user, device and session fields are overwritten with the spent token's) is stored, and the
    /// device's last-seen time set to <paramref name="now"/>; a spent one revokes its device (the device row
    /// and all its refresh tokens are deleted). Of two concurrent presentations of one token, one rotates and
    /// the other counts as reuse.
    /// </summary>
    Task<RefreshOutcome> RotateRefreshTokenAsync(byte[] tokenHash, RefreshTokenRecord next, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the session is the device's current one; with no device, whether the user exists.</summary>
    Task<bool> IsSessionActiveAsync(string userId, string? deviceId, string? sessionId, CancellationToken cancellationToken);

    /// <summary>The user's signed-in devices, oldest first.</summary>
    Task<IReadOnlyList<DeviceSession>> ListDevicesAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Deletes the device's row and its refresh tokens; false when the user has no such device.</summary>
    Task<bool> RevokeDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the password hash and revokes every device but <paramref name="keepDeviceId"/> (all of them when
    /// null), in one transaction. Returns the revoked device ids, or null when the user does not exist.
    /// </summary>
    Task<IReadOnlyList<string>?> ChangePasswordAsync(string userId, string passwordHash, string? keepDeviceId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> of the user's note ids with a stored body, in ordinal order, after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<string>> ListDocumentIdsAsync(string userId, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the user and every row of theirs in every table, in one transaction; false when there was no such user.</summary>
    Task<bool> DeleteUserAsync(string userId, CancellationToken cancellationToken);
}
