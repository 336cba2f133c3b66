using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Transport;

/// <summary>
/// How the client reaches the server: the wire contract's calls (DESIGN 3) in its own types. Every
/// failure of a whole request is a <see cref="SyncTransportException"/> (status, contract code,
/// <see cref="SyncException.IsTransient"/>, Retry-After, required version). The default is
/// <see cref="HttpSyncTransport"/>; a simulation plugs in one that calls the server's engine directly.
/// </summary>
public interface ISyncTransport
{
    Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken);

    Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// <c>POST /auth/refresh</c>: spends the refresh token for a new access token and a new refresh token (same
    /// body as login); 401 when it is unknown, expired or spent. A transport without sessions refuses with 401,
    /// so the client falls back to <see cref="SyncClientOptions.RefreshAccessToken"/>.
    /// </summary>
    Task<AuthResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken) =>
        Task.FromException<AuthResponse>(new SyncTransportException(401, ErrorCodes.Unauthorized, "This transport has no refresh tokens."));

    Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken);

    Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the user's conflicts, oldest first; <c>status</c> is <c>open</c> (the server's default when null)
    /// or <c>all</c>; <c>cursor</c> is the previous page's (null for the first page).
    /// </summary>
    Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken);

    Task<ResolveConflictResponse> ResolveConflictAsync(
        string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken);

    /// <summary>
    /// One exchange of a note's Yjs document (DESIGN 3.5, <c>POST /notes/{note_id}/sync</c>): the client's
    /// update and state vector out, what it lacks and the server's state vector back. An update the server
    /// cannot integrate is a 400 <c>INVALID_YJS_UPDATE</c> <see cref="SyncTransportException"/>.
    /// </summary>
    Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken);
}
