using System.Collections.Concurrent;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Failed logins per email (DESIGN 8): <c>Limits:FailedLoginsPerEmail</c> failures within
/// <c>Limits:FailedLoginWindow</c> of the first one lock that email's logins until the window ends,
/// whatever address or token the attempts come with. Counted in this process (several processes
/// each allow the limit). Windows run on the injected clock.
/// </summary>
internal sealed class FailedLoginLimiter(LimitOptions limits, TimeProvider time)
{
    /// <summary>Past this many tracked emails, expired windows are swept, at most once a minute (a sweep is linear).</summary>
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    /// <summary>Throws 429 <c>RATE_LIMITED</c> when the email has used up its failed attempts.</summary>
    public void ThrowIfLocked(string email)
    {
        if (_windows.TryGetValue(email, out var window) && window.Failures >= limits.FailedLoginsPerEmail)
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

    public void RecordFailure(string email)
    {
        var now = time.GetUtcNow();
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (_windows.Count >= SweepThreshold && now.UtcTicks >= next
            && Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + TimeSpan.TicksPerMinute, next) == next)
        {
            Sweep(now);
        }

        _windows.AddOrUpdate(
            email,
            _ => new Window(now, 1),
            (_, window) => now - window.Start >= limits.FailedLoginWindow ? new Window(now, 1) : window with { Failures = window.Failures + 1 });
    }

    /// <summary>Emails tracked now (for tests of the sweep).</summary>
    internal int TrackedEmails => _windows.Count;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (email, window) in _windows)
        {
            if (now - window.Start >= limits.FailedLoginWindow)
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(email, window));
            }
        }
    }

    private sealed record Window(DateTimeOffset Start, int Failures);
}
