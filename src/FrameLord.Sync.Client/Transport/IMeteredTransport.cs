namespace FrameLord.Sync.Client.Transport;

/// <summary>A transport that reports the bytes each request sent and received, for the bandwidth meter.</summary>
public interface IMeteredTransport
{
    /// <summary>Raised after each exchange (successful or not) with the bytes that went over the wire.</summary>
    event EventHandler<TransferEventArgs>? Transferred;
}

/// <summary>
/// One exchange's bytes: <see cref="SentBytes"/> the request body as sent (compressed when it was),
/// <see cref="ReceivedBytes"/> the answer's body (as read, after decompression: an upper bound of the wire bytes).
/// </summary>
public sealed class TransferEventArgs(long sentBytes, long receivedBytes) : EventArgs
{
    public long SentBytes { get; } = sentBytes;

    public long ReceivedBytes { get; } = receivedBytes;
}
