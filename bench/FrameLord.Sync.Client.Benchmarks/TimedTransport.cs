using System.Diagnostics;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>Measures the time spent waiting on the server (request, server work, answer) so the rest is the client's.</summary>
public sealed class TimedTransport(ISyncTransport inner) : ISyncTransport
{
    public TimeSpan Push { get; private set; }

    public TimeSpan Pull { get; private set; }

    public void Reset() => (Push, Pull) = (TimeSpan.Zero, TimeSpan.Zero);

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) => inner.SignupAsync(request, cancellationToken);

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => inner.LoginAsync(request, cancellationToken);

    public async Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.PushAsync(request, accessToken, cancellationToken);
        }
        finally
        {
            Push += Stopwatch.GetElapsedTime(start);
        }
    }

    public async Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.PullAsync(request, accessToken, cancellationToken);
        }
        finally
        {
            Pull += Stopwatch.GetElapsedTime(start);
        }
    }

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        inner.ListConflictsAsync(status, cursor, accessToken, cancellationToken);

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.ResolveConflictAsync(conflictId, request, accessToken, cancellationToken);

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.SyncDocumentAsync(noteId, request, accessToken, cancellationToken);
}
