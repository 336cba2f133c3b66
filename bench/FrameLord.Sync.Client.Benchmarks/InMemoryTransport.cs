using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// A server stand-in with no cost of its own: pushes succeed at once, pulls serve what was recorded
/// from a real server. It isolates the client's share of the end-to-end time.
/// </summary>
public sealed class InMemoryTransport : ISyncTransport
{
    private long _version;

    public List<PullResponse> Pages { get; } = [];

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new AuthResponse { UserId = "usr_bench", ContactZeroId = "cnt_zero", AccessToken = "token", ExpiresIn = 3600 });

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => SignupAsync(new SignupRequest { Email = "", Password = "" }, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken) =>
        Task.FromResult(new PushResponse
        {
            Successful = request.Changes.Select(c => new ChangeSucceeded { ChangeId = c.ChangeId, EntityType = c.EntityType, EntityId = c.EntityId, SyncVersion = Math.Max(++_version, c.SyncVersion) }).ToArray(),
            Failed = [],
            Conflicts = [],
        });

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken)
    {
        var index = request.Cursor is null ? 0 : int.Parse(request.Cursor, System.Globalization.CultureInfo.InvariantCulture);
        if (index >= Pages.Count)
        {
            return Task.FromResult(new PullResponse { Changes = [], Cursor = request.Cursor ?? "0", HasMore = false, SyncTimestamp = DateTimeOffset.UnixEpoch });
        }

        var page = Pages[index] with { Cursor = (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), HasMore = index + 1 < Pages.Count };
        return Task.FromResult(page);
    }

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) => Task.FromResult(new ConflictList { Conflicts = [] });

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>The entity benchmarks open no note bodies, so no document is ever synced through here.</summary>
    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
