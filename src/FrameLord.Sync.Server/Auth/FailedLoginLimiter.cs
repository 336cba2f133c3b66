using System.Security.Cryptography;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Failed logins per email (DESIGN 8): <c>Limits:FailedLoginsPerEmail</c> failures within
/// <c>Limits:FailedLoginWindow</c> of the first one lock that email's logins until the window ends,
/// whatever address or token the attempts come with. Counted in the store, so the count survives a
/// restart and every process on one database shares it (a guesser gains nothing by spreading attempts
/// over processes). The store keeps a hash of the email, not the email. Windows run on the injected clock.
/// </summary>
internal sealed class FailedLoginLimiter(ISyncStore store, LimitOptions limits, TimeProvider time)
{
    /// <summary>Throws 429 <c>RATE_LIMITED</c> when the email has used up its failed attempts.</summary>
    public async Task ThrowIfLockedAsync(string email, CancellationToken cancellationToken)
    {
        if (await store.ReadFailedLoginsAsync(Key(email), cancellationToken) is { } window && window.Failures >= limits.FailedLoginsPerEmail)
        {
            var left = window.Start + limits.FailedLoginWindow - time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                throw new ApiException(429, ErrorCodes.RateLimited, "Too many failed logins for this email; retry after the given number of seconds.")
                {
                    RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(left.TotalSeconds)),
                };
            }
        }
    }

    public Task RecordFailureAsync(string email, CancellationToken cancellationToken) =>
        store.RecordFailedLoginAsync(Key(email), time.GetUtcNow(), limits.FailedLoginWindow, cancellationToken);

    /// <summary>SHA-256 of the normalized email, hex: fixed length whatever the caller sent.</summary>
    internal static string Key(string email) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email)));
}
