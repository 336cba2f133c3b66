using System.Collections.Concurrent;
using System.Security.Claims;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// The one check, at authentication, that a validly signed access token still speaks for someone: its
/// device session is the device's current one (not logged out, revoked, replaced by a newer login or
/// dropped by a password change), or, for a token without a session, that its user still exists. Every
/// HTTP request (the JWT handler's validated event) and every socket's token go through here, so a deleted
/// account or a revoked device is 401 on every route at once.
/// A positive answer is trusted for <see cref="AuthOptions.SessionCheckInterval"/>; revocations made in this
/// process drop the user's trusted answers immediately (<see cref="Forget"/>).
/// </summary>
internal sealed class SessionGuard(ISyncStore store, AuthOptions options, TimeProvider time)
{
    /// <summary>Past this many trusted answers, expired ones are swept (at most once per check interval).</summary>
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<(string UserId, string DeviceId, string SessionId), long> _trustedUntil = new();
    private long _nextSweepTicks;

    // Bumped by every Forget: an answer read from the store while a revocation happened is not trusted
    // (it may predate the revocation and would otherwise be cached past it).
    private long _revocations;

    /// <summary>The session of a validated token's claims, then whether it is active.</summary>
    public ValueTask<bool> IsActiveAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var userId = principal.FindFirstValue(JwtRegisteredClaimNames.Sub);
        if (string.IsNullOrEmpty(userId))
        {
            return ValueTask.FromResult(false);
        }

        return IsActiveAsync(userId, principal.FindFirstValue(TokenService.DeviceClaim), principal.FindFirstValue(TokenService.SessionClaim), cancellationToken);
    }

    public async ValueTask<bool> IsActiveAsync(string userId, string? deviceId, string? sessionId, CancellationToken cancellationToken)
    {
        if (deviceId is not null && sessionId is null)
        {
            return false;
        }

        var key = (userId, deviceId ?? "", sessionId ?? "");
        var now = time.GetUtcNow().UtcTicks;
        if (_trustedUntil.TryGetValue(key, out var until) && now < until)
        {
            return true;
        }

        var revocations = Interlocked.Read(ref _revocations);
        if (!await store.IsSessionActiveAsync(userId, deviceId, sessionId, cancellationToken))
        {
            _trustedUntil.TryRemove(key, out _);
            return false;
        }

        if (options.SessionCheckInterval > TimeSpan.Zero)
        {
            SweepIfLarge(now);
            _trustedUntil[key] = now + options.SessionCheckInterval.Ticks;
            // Looked at after writing: a Forget that ran its sweep before this write has bumped the count already.
            if (Interlocked.Read(ref _revocations) != revocations)
            {
                _trustedUntil.TryRemove(key, out _);
            }
        }

        return true;
    }

    /// <summary>Drops the trusted answers of a user's sessions (all of them, or one device's), so the next check asks the store.</summary>
    public void Forget(string userId, string? deviceId = null)
    {
        Interlocked.Increment(ref _revocations);
        foreach (var key in _trustedUntil.Keys)
        {
            if (key.UserId == userId && (deviceId is null || key.DeviceId == deviceId))
            {
                _trustedUntil.TryRemove(key, out _);
            }
        }
    }

    private void SweepIfLarge(long now)
    {
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (_trustedUntil.Count < SweepThreshold || now < next
            || Interlocked.CompareExchange(ref _nextSweepTicks, now + options.SessionCheckInterval.Ticks, next) != next)
        {
            return;
        }

        foreach (var (key, until) in _trustedUntil)
        {
            if (until <= now)
            {
                _trustedUntil.TryRemove(new KeyValuePair<(string, string, string), long>(key, until));
            }
        }
    }
}
