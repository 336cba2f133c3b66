namespace FrameLord.Sync.Client.Documents.Live;

/// <summary>
/// What a <see cref="LiveNoteConnection"/> needs from the SDK's note-document sync: the token, the retry
/// schedule, and the three places where the socket meets the document and its local log.
/// </summary>
internal interface ILiveNoteHost
{
    TimeProvider Time { get; }

    /// <summary>The origin of transactions that apply what the server sent; such updates are not sent back.</summary>
    object RemoteOrigin { get; }

    /// <summary>The delay before connection attempt <paramref name="attempt"/> (1 for the first retry).</summary>
    TimeSpan RetryDelay(int attempt);

    /// <summary>Today's access token (asking the app for one when there is none).</summary>
    Task<string> AccessTokenAsync(CancellationToken cancellationToken);

    /// <summary>A new access token, the same way the REST path gets one after a 401.</summary>
    Task<string> RefreshAccessTokenAsync(CancellationToken cancellationToken);

    /// <summary>The document's state vector now (sent as our sync step 1).</summary>
    Task<byte[]> StateVectorAsync(LiveDocument live);

    /// <summary>
    /// The server's sync step 1 (its stored state vector): returns what it lacks (our step 2) and records on the
    /// local log that everything the device has is on the server when that state vector shows it.
    /// </summary>
    Task<byte[]> ServerStateAsync(LiveDocument live, byte[] serverStateVector);

    /// <summary>Applies an update from the server and appends what it changed to the local log.</summary>
    Task ApplyRemoteAsync(LiveDocument live, byte[] update);

    /// <summary>The socket dropped: the REST sync takes the note over until it is live again.</summary>
    void Disconnected(LiveDocument live);
}
