namespace FrameLord.Sync.Client.Documents.Live;

/// <summary>
/// One open socket of a note on the y-websocket endpoint (DESIGN 3.8), as the SDK uses it: whole binary
/// messages in and out. <see cref="ClientWebSocketConnector"/> makes real ones; a test or a simulation plugs in
/// its own. One receive and one send may run at once.
/// </summary>
public interface ILiveDocumentSocket : IAsyncDisposable
{
    /// <summary>Sends one whole message. Throws when the socket is closed or broken.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>The next whole message, or null once the socket closed (then <see cref="CloseStatus"/> says how). Throws when it broke.</summary>
    ValueTask<byte[]?> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>The close code the server sent (4401 token, 4400 invalid message, 1009 too big, ...), or null when none came.</summary>
    int? CloseStatus { get; }

    /// <summary>Starts a clean close (sends the close frame); a receive under way then returns null when the server answers.</summary>
    Task CloseAsync(CancellationToken cancellationToken);

    /// <summary>Drops the socket at once (a broken network, or a server silent for too long).</summary>
    void Abort();
}

/// <summary>Opens live sockets on notes for the SDK (<see cref="SyncClientOptions.LiveDocuments"/>).</summary>
public interface ILiveDocumentConnector
{
    /// <summary>
    /// Opens the y-websocket socket of <paramref name="noteId"/> with <paramref name="accessToken"/>. Throws
    /// <see cref="SyncTransportException"/> (a network error) when it cannot be opened.
    /// </summary>
    Task<ILiveDocumentSocket> ConnectAsync(string noteId, string accessToken, CancellationToken cancellationToken);
}
