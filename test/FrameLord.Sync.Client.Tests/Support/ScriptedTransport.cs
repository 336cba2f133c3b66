using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// A transport without a server, for tests of the client's own logic: pushes succeed (or do what
/// <see cref="OnPush"/> says), pulls return nothing, and every call is recorded.
/// </summary>
public sealed class ScriptedTransport : ISyncTransport
{
    private long _version;

    public List<PushRequest> Pushes { get; } = [];

    public List<(PullRequest Request, string Token)> Pulls { get; } = [];

    public List<string> PushTokens { get; } = [];

    /// <summary>Decides a push's answer; default: every change succeeds with increasing versions.</summary>
    public Func<PushRequest, string, PushResponse>? OnPush { get; set; }

    public Func<PullRequest, string, PullResponse>? OnPull { get; set; }

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 3600 });

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => SignupAsync(new SignupRequest { Email = request.Email, Password = request.Password }, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken)
    {
        Pushes.Add(request);
        PushTokens.Add(accessToken);
        return Task.FromResult(OnPush is not null ? OnPush(request, accessToken) : AcceptAll(request));
    }

    public PushResponse AcceptAll(PushRequest request) => new()
    {
        Successful = request.Changes.Select(c => new ChangeSucceeded
        {
            ChangeId = c.ChangeId,
            EntityType = c.EntityType,
            EntityId = c.EntityId,
            SyncVersion = Math.Max(++_version, c.SyncVersion),
        }).ToArray(),
        Failed = [],
        Conflicts = [],
    };

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken)
    {
        Pulls.Add((request, accessToken));
        return Task.FromResult(OnPull is not null
            ? OnPull(request, accessToken)
            : new PullResponse { Changes = [], Cursor = request.Cursor ?? "AQAAAAAAAAAA", HasMore = false, SyncTimestamp = DateTimeOffset.UnixEpoch });
    }

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        Task.FromResult(new ConflictList { Conflicts = [] });

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        throw new SyncTransportException(404, ErrorCodes.NotFound, "No such conflict.");

    public List<(string NoteId, DocumentSyncRequest Request)> DocumentSyncs { get; } = [];

    /// <summary>Decides a document sync's answer; default: the server has nothing (an empty update, an empty state vector).</summary>
    public Func<string, DocumentSyncRequest, DocumentSyncResponse>? OnDocumentSync { get; set; }

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken)
    {
        DocumentSyncs.Add((noteId, request));
        return Task.FromResult(OnDocumentSync is not null
            ? OnDocumentSync(noteId, request)
            : new DocumentSyncResponse { Updates = [0, 0], NewStateVector = [0], SyncVersion = 0 });
    }
}
