namespace FrameLord.Sync.Client.Transport;

/// <summary>
/// A transport that can also stream the server's live notifications (DESIGN 3.6, <c>GET /sync/events</c>).
/// The sync loop listens when its transport implements this and syncs on each <c>changes</c> event; the
/// 30 s pull stays as the fallback.
/// </summary>
public interface ILiveChangeSource
{
    /// <summary>
    /// Listens until <paramref name="cancellationToken"/> is cancelled or the stream ends, calling
    /// <paramref name="onEvent"/> with each event's name (<c>changes</c>, <c>doc</c>) and data. Throws
    /// <see cref="SyncTransportException"/> when the stream cannot be opened.
    /// </summary>
    Task ListenAsync(string accessToken, Action<string, string> onEvent, CancellationToken cancellationToken);
}
