namespace FrameLord.Sync.Client.Engine;

/// <summary>
/// The retry schedule of the sync loop (DESIGN 5.2): the given delays in turn (default 2, 4, 8, 16,
/// 32 s), then the last one again and again with a random spread of ±<c>jitter</c> (from the injected
/// random source). A server's Retry-After is honoured when it asks for longer.
/// </summary>
internal sealed class Backoff(IReadOnlyList<TimeSpan> delays, double jitter, Random random)
{
    public TimeSpan Delay(int attempt, TimeSpan? retryAfter = null)
    {
        if (attempt < 1 || delays.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(attempt));
        }

        var delay = delays[Math.Min(attempt, delays.Count) - 1];
        if (attempt > delays.Count && jitter > 0)
        {
            double spread;
            lock (random)
            {
                spread = (random.NextDouble() * 2) - 1;
            }

            delay *= 1 + (jitter * spread);
        }

        return retryAfter is { } asked && asked > delay ? asked : delay;
    }
}
