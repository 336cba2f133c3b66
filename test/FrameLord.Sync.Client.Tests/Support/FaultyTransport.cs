using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// Wraps a real transport to inject failures: <see cref="BeforePush"/> runs before the request goes out,
/// <see cref="AfterPush"/> after the server committed and answered (throwing there loses the answer),
/// <see cref="AfterPull"/> after a page arrived. Every push request is recorded.
/// </summary>
public sealed class FaultyTransport(ISyncTransport real) : ISyncTransport
{
    /// <summary>Where every call goes instead of the wrapped transport while set (another server, say).</summary>
    public ISyncTransport? Redirect { get; set; }

    private ISyncTransport Inner => Redirect ?? real;

    public List<PushRequest> Pushes { get; } = [];

    public Action<PushRequest>? BeforePush { get; set; }

    public Action<PushRequest, PushResponse>? AfterPush { get; set; }

    public Action<PullResponse>? AfterPull { get; set; }

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) => Inner.SignupAsync(request, cancellationToken);

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => Inner.LoginAsync(request, cancellationToken);

    /// <summary>Refresh token presentations passed on to the server.</summary>
    public int Refreshes => Volatile.Read(ref _refreshes);

    private int _refreshes;

    public Task<AuthResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _refreshes);
        return Inner.RefreshAsync(request, cancellationToken);
    }

    public async Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken)
    {
        lock (Pushes)
        {
            Pushes.Add(request);
        }

        BeforePush?.Invoke(request);
        var response = await Inner.PushAsync(request, accessToken, cancellationToken);
        AfterPush?.Invoke(request, response);
        return response;
    }

    public async Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken)
    {
        var response = await Inner.PullAsync(request, accessToken, cancellationToken);
        AfterPull?.Invoke(response);
        return response;
    }

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        Inner.ListConflictsAsync(status, cursor, accessToken, cancellationToken);

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        Inner.ResolveConflictAsync(conflictId, request, accessToken, cancellationToken);

    /// <summary>Every document sync request, with its note id, in the order they were made.</summary>
    public List<(string NoteId, DocumentSyncRequest Request)> DocumentSyncs { get; } = [];

    /// <summary>
    /// Wraps each document sync: gets the note id, the request, and the call to the real transport (or
    /// to another one), and decides what the client gets. Default: the call as it is.
    /// </summary>
    public Func<string, DocumentSyncRequest, Func<Task<DocumentSyncResponse>>, Task<DocumentSyncResponse>>? OnDocumentSync { get; set; }

    /// <summary>Where document syncs go; default the wrapped transport (a test points it at another server).</summary>
    public ISyncTransport? DocumentTarget { get; set; }

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken)
    {
        lock (DocumentSyncs)
        {
            DocumentSyncs.Add((noteId, request));
        }

        var target = DocumentTarget ?? Inner;
        Task<DocumentSyncResponse> Call() => target.SyncDocumentAsync(noteId, request, accessToken, cancellationToken);
        return OnDocumentSync is { } hook ? hook(noteId, request, Call) : Call();
    }

    public static SyncTransportException Lost() => new(null, SyncTransportException.NetworkErrorCode, "The connection dropped before the answer arrived.");
}
