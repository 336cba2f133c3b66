namespace FrameLord.Sync.Client.Transport;

/// <summary>Settings of <see cref="HttpSyncTransport"/>.</summary>
public sealed class HttpSyncTransportOptions
{
    /// <summary>The server's root, e.g. <c>https://sync.example.com/</c>; routes are under <c>/api/v1</c>.</summary>
    public required Uri ServerUri { get; init; }

    /// <summary>
    /// Request bodies at least this large are sent gzip-compressed (when that makes them smaller): every body
    /// worth compressing, since sync JSON shrinks several times and cellular bytes cost. Default 1 KiB (below
    /// it gzip's header eats most of the saving); 0 compresses all, <see cref="int.MaxValue"/> none.
    /// </summary>
    public int GzipThresholdBytes { get; init; } = 1024;

    /// <summary>
    /// Each request attempt is abandoned after this long (a transient failure the outbox's backoff then
    /// retries). Default 100 s. Measured on the injected <see cref="TimeProvider"/>.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);
}
