namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// A socket's message budget: a token bucket that refills <c>rate</c> tokens a second up to <c>2 × rate</c>.
/// The socket takes a message's cost before handling it and, when the bucket runs dry, waits for the refill
/// instead of reading on: a flooding client slows itself down, and an honest one never notices.
/// One reader per socket, so no locking.
/// </summary>
internal sealed class MessageBudget(int perSecond, TimeProvider time)
{
    private readonly double _capacity = Math.Max(1, perSecond) * 2.0;
    private readonly double _perSecond = Math.Max(1, perSecond);
    private double _tokens = Math.Max(1, perSecond) * 2.0;
    private long _lastRefill = time.GetTimestamp();

    /// <summary>Takes <paramref name="cost"/> tokens, first waiting (on the injected clock) until they have refilled.</summary>
    public async ValueTask TakeAsync(int cost, CancellationToken cancellationToken)
    {
        var need = Math.Min(Math.Max(1, cost), _capacity);
        Refill();
        while (_tokens < need)
        {
            var wait = TimeSpan.FromSeconds((need - _tokens) / _perSecond);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken);
            Refill();
        }

        _tokens -= need;
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + (time.GetElapsedTime(_lastRefill, now).TotalSeconds * _perSecond));
        _lastRefill = now;
    }
}
