using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Live;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Device sessions (DESIGN 3.1): each login or signup starts a session for its device with a refresh token;
/// <c>POST /auth/refresh</c> rotates it; a spent token presented again revokes the device (a stolen token and
/// its rightful holder cannot both go on); logout and device removal revoke one device. A revocation is
/// enforced at authentication by <see cref="SessionGuard"/> and closes the device's open streams and sockets.
/// </summary>
internal sealed class SessionService(
    ISyncStore store, TokenService tokens, IIdGenerator ids, TimeProvider time, AuthOptions options,
    LimitOptions limits, SessionGuard guard, SessionConnections connections)
{
    public const int MaxDeviceNameLength = 200;

    /// <summary>Longer strings are not refresh tokens this server issued: refused before hashing.</summary>
    private const int MaxRefreshTokenLength = 128;

    /// <summary>Checks the optional device fields of a signup or login (400 <c>VALIDATION_FAILED</c>).</summary>
    public void ValidateDevice(string? deviceId, string? deviceName)
    {
        if (deviceId is not null && !ChangeValidator.IsValidId(deviceId, limits.MaxIdLength))
        {
            throw ApiException.Validation($"device_id must be 1 to {limits.MaxIdLength} characters without control characters.");
        }

        if (deviceName is not null && (deviceName.Length > MaxDeviceNameLength || !TextRules.IsPlainText(deviceName)))
        {
            throw ApiException.Validation($"device_name must be at most {MaxDeviceNameLength} characters, without control characters.");
        }
    }

    /// <summary>Starts a new session for the device (replacing the device's previous one) and answers as login does.</summary>
    public async Task<AuthResponse> StartAsync(UserRecord user, string? deviceId, string? deviceName, CancellationToken cancellationToken)
    {
        deviceId ??= ids.NewId("dev");
        var now = time.GetUtcNow();
        var session = new DeviceSession(user.UserId, deviceId, (deviceName ?? "").Trim(), ids.NewId("ses"), now, now);
        var (refreshToken, record) = NewRefreshToken(session, now);
        if (!await store.StartSessionAsync(session, record, cancellationToken))
        {
            throw Unauthorized();
        }

        // The device's earlier session, if any, is over: its tokens must not be trusted from the cache.
        guard.Forget(user.UserId, deviceId);
        return Respond(user, session, refreshToken);
    }

    public async Task<AuthResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        if (request.RefreshToken is not { Length: > 0 and <= MaxRefreshTokenLength } presented)
        {
            throw Unauthorized();
        }

        var now = time.GetUtcNow();
        var (refreshToken, next) = NewRefreshToken(new DeviceSession("", "", "", "", now, now), now);
        var outcome = await store.RotateRefreshTokenAsync(Hash(presented), next, now, cancellationToken);
        switch (outcome.Verdict)
        {
            case RefreshVerdict.Rotated:
                var user = await store.FindUserByIdAsync(outcome.Session!.UserId, cancellationToken) ?? throw Unauthorized();
                return Respond(user, outcome.Session, refreshToken);
            case RefreshVerdict.Reused:
                Revoked(outcome.Session!.UserId, [outcome.Session.DeviceId]);
                throw Unauthorized();
            default:
                throw Unauthorized();
        }
    }

    /// <summary>Revokes the device of the caller's token (nothing for a token without one).</summary>
    public async Task LogoutAsync(ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var userId = Http.UserIdentity.UserId(caller);
        if (caller.FindFirstValue(TokenService.DeviceClaim) is { } deviceId)
        {
            await store.RevokeDeviceAsync(userId, deviceId, cancellationToken);
            Revoked(userId, [deviceId]);
        }
    }

    public async Task<DeviceList> ListDevicesAsync(string userId, CancellationToken cancellationToken)
    {
        var devices = await store.ListDevicesAsync(userId, cancellationToken);
        return new DeviceList
        {
            Devices = [.. devices.Select(d => new DeviceInfo
            {
                DeviceId = d.DeviceId,
                DeviceName = d.DeviceName,
                CreatedAt = d.CreatedAt,
                LastSeenAt = d.LastSeenAt,
            })],
        };
    }

    /// <summary>Revokes one of the user's devices; 404 <c>NOT_FOUND</c> when the user has no such device.</summary>
    public async Task RevokeDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken)
    {
        if (!ChangeValidator.IsValidId(deviceId, limits.MaxIdLength) || !await store.RevokeDeviceAsync(userId, deviceId, cancellationToken))
        {
            throw new ApiException(404, ErrorCodes.NotFound, "No such device is signed in.");
        }

        Revoked(userId, [deviceId]);
    }

    /// <summary>After the store revoked devices of a user: their tokens stop passing here at once, and their connections close.</summary>
    public void Revoked(string userId, IReadOnlyCollection<string> deviceIds)
    {
        foreach (var deviceId in deviceIds)
        {
            guard.Forget(userId, deviceId);
        }

        connections.CloseDevices(userId, deviceIds);
    }

    /// <summary>After an account was deleted: none of its tokens passes here any more, and its connections close.</summary>
    public void UserDeleted(string userId)
    {
        guard.Forget(userId);
        connections.CloseUser(userId);
    }

    private AuthResponse Respond(UserRecord user, DeviceSession session, string refreshToken)
    {
        var (token, expiresIn) = tokens.Issue(user.UserId, session.DeviceId, session.SessionId);
        return new AuthResponse
        {
            UserId = user.UserId,
            ContactZeroId = user.ContactZeroId,
            AccessToken = token,
            ExpiresIn = expiresIn,
            RefreshToken = refreshToken,
            DeviceId = session.DeviceId,
        };
    }

    /// <summary>A new opaque token (256 random bits) and its stored form.</summary>
    private (string Token, RefreshTokenRecord Record) NewRefreshToken(DeviceSession session, DateTimeOffset now)
    {
        var token = ids.NewId("frt") + ids.NewId("")[1..];
        return (token, new RefreshTokenRecord(Hash(token), session.UserId, session.DeviceId, session.SessionId, now, now + options.RefreshTokenLifetime));
    }

    /// <summary>
    /// SHA-256, unsalted: the token is 256 random bits, so there is nothing to guess from its hash, and a lookup
    /// by hash needs the same hash every time. A leaked table does not give working tokens.
    /// </summary>
    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static ApiException Unauthorized() => new(401, ErrorCodes.Unauthorized, "The refresh token is not valid; log in again.");
}
