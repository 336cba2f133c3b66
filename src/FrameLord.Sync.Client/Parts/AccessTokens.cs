using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The bearer token sync requests carry, and its renewal through
/// <see cref="SyncClientOptions.RefreshAccessToken"/>: every call to the server goes through <see cref="AuthorizedAsync"/>.
/// </summary>
internal sealed class AccessTokens(Func<CancellationToken, Task<string>>? refresh)
{
    /// <summary>Set by signup and login, by a refresh, or by the app.</summary>
    public string? Current { get; set; }

    public bool CanRefresh => refresh is not null;

    /// <summary>Calls the server with the current token; on 401 asks for a new one and sends the same request once more.</summary>
    public async Task<T> AuthorizedAsync<T>(Func<string, Task<T>> call, CancellationToken cancellationToken)
    {
        var token = await CurrentOrRefreshAsync(cancellationToken);
        try
        {
            return await call(token);
        }
        catch (SyncTransportException e) when (e.IsUnauthorized && refresh is not null)
        {
            token = await RefreshAsync(e, cancellationToken);
            return await call(token);
        }
    }

    /// <summary>The current token, or a new one when there is none.</summary>
    public async Task<string> CurrentOrRefreshAsync(CancellationToken cancellationToken) =>
        Current ?? await RefreshAsync(null, cancellationToken);

    /// <summary>A new token from the app's refresh; without one, <paramref name="cause"/> (or a 401) is thrown.</summary>
    public async Task<string> RefreshAsync(SyncTransportException? cause, CancellationToken cancellationToken)
    {
        if (refresh is null)
        {
            throw cause ?? new SyncTransportException(401, ErrorCodes.Unauthorized, "No access token: sign up, log in or set AccessToken first.");
        }

        var token = await refresh(cancellationToken);
        Current = token;
        return token;
    }
}
