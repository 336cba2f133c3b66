using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// Wraps a real transport to inject failures: <see cref="BeforePush"/> runs before the request goes out,
/// <see cref="AfterPush"/> after the server committed and answered (throwing there loses the answer),
/// <see cref="AfterPull"/> after a page arrived. Every push request is recorded.
/// </summary>
public sealed class FaultyTransport(ISyncTransport inner) : ISyncTransport
{
    public List<PushRequest> Pushes { get; } = [];

    public Action<PushRequest>? BeforePush { get; set; }

    public Action<PushRequest, PushResponse>? AfterPush { get; set; }

    public Action<PullResponse>? AfterPull { get; set; }

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) => inner.SignupAsync(request, cancellationToken);

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => inner.LoginAsync(request, cancellationToken);

    public async Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken)
    {
        lock (Pushes)
        {
            Pushes.Add(request);
        }

        BeforePush?.Invoke(request);
        var response = await inner.PushAsync(request, accessToken, cancellationToken);
        AfterPush?.Invoke(request, response);
        return response;
    }

    public async Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken)
    {
        var response = await inner.PullAsync(request, accessToken, cancellationToken);
        AfterPull?.Invoke(response);
        return response;
    }

    public Task<ConflictList> ListConflictsAsync(string? status, string accessToken, CancellationToken cancellationToken) =>
        inner.ListConflictsAsync(status, accessToken, cancellationToken);

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        inner.ResolveConflictAsync(conflictId, request, accessToken, cancellationToken);

    public static SyncTransportException Lost() => new(null, SyncTransportException.NetworkErrorCode, "The connection dropped before the answer arrived.");
}
