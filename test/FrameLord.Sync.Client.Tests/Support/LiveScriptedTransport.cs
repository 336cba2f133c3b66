using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// A <see cref="ScriptedTransport"/> with a live event stream: <see cref="ListenAsync"/> runs
/// <see cref="OnListen"/> (default: wait for cancellation), counting the streams opened.
/// </summary>
public sealed class LiveScriptedTransport(ScriptedTransport inner) : ISyncTransport, ILiveChangeSource
{
    private int _listens;

    public int Listens => Volatile.Read(ref _listens);

    /// <summary>What one open stream does; default: nothing until cancelled.</summary>
    public Func<Action<string, string>, CancellationToken, Task> OnListen { get; set; } =
        (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    public Task ListenAsync(string accessToken, Action<string, string> onEvent, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listens);
        return OnListen(onEvent, cancellationToken);
    }

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) => inner.SignupAsync(request, cancellationToken);

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => inner.LoginAsync(request, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.PushAsync(request, accessToken, cancellationToken);

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.PullAsync(request, accessToken, cancellationToken);

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        inner.ListConflictsAsync(status, cursor, accessToken, cancellationToken);

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.ResolveConflictAsync(conflictId, request, accessToken, cancellationToken);

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.SyncDocumentAsync(noteId, request, accessToken, cancellationToken);
}
