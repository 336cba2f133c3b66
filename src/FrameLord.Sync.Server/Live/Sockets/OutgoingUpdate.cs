namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// A document update on its way to a note's sockets: framed once per framing and the frame shared by every socket
/// that uses it, so a fan-out to many sockets of one protocol allocates one message, not one per socket. Used by
/// one fan-out at a time (not thread-safe).
/// </summary>
internal sealed class OutgoingUpdate(byte[] update)
{
    private object? _key;
    private byte[]? _frame;

    public byte[] Update { get; } = update;

    /// <summary>
    /// The update as <paramref name="frame"/> frames it; <paramref name="key"/> names the framing (equal keys frame
    /// alike). The last framing is kept: sockets of one note mostly share one.
    /// </summary>
    public byte[] Framed(object key, Func<byte[], byte[]> frame)
    {
        if (_frame is null || !Equals(_key, key))
        {
            _frame = frame(Update);
            _key = key;
        }

        return _frame;
    }
}
