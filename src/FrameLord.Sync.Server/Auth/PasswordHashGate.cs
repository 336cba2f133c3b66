using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Bounds the password hashes computed at once (<c>Limits:MaxConcurrentPasswordHashes</c>, default the
/// processor count). PBKDF2 takes a core for tens of milliseconds, so unbounded, a flood of logins takes
/// every core and syncs wait behind it. A caller past the bound waits up to
/// <c>Limits:PasswordHashWait</c>, then gets 503 <c>SERVICE_UNAVAILABLE</c> with <c>Retry-After: 1</c>:
/// the server is busy, which is not the caller's own rate (that is a 429).
/// </summary>
internal sealed class PasswordHashGate(LimitOptions limits)
{
    private readonly SemaphoreSlim _slots = new(
        limits.MaxConcurrentPasswordHashes > 0 ? limits.MaxConcurrentPasswordHashes : Environment.ProcessorCount);

    public async Task<T> RunAsync<T>(Func<T> hash, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(limits.PasswordHashWait, cancellationToken))
        {
            throw new ApiException(503, ErrorCodes.Unavailable, "The server is busy checking passwords; retry shortly.") { RetryAfterSeconds = 1 };
        }

        try
        {
            return hash();
        }
        finally
        {
            _slots.Release();
        }
    }
}
