using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Demo;

/// <summary>The demo's airplane mode: while <see cref="Offline"/>, every call fails as an unreachable network would.</summary>
internal sealed class SwitchableTransport(ISyncTransport inner) : ISyncTransport
{
    public bool Offline { get; set; }

    private Task<T> Call<T>(Func<Task<T>> call) =>
        Offline ? Task.FromException<T>(new SyncTransportException("No network (airplane mode).")) : call();

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) => Call(() => inner.SignupAsync(request, cancellationToken));

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => Call(() => inner.LoginAsync(request, cancellationToken));

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken) =>
        Call(() => inner.PushAsync(request, accessToken, cancellationToken));

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken) =>
        Call(() => inner.PullAsync(request, accessToken, cancellationToken));

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        Call(() => inner.ListConflictsAsync(status, cursor, accessToken, cancellationToken));

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        Call(() => inner.ResolveConflictAsync(conflictId, request, accessToken, cancellationToken));

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
        Call(() => inner.SyncDocumentAsync(noteId, request, accessToken, cancellationToken));
}
