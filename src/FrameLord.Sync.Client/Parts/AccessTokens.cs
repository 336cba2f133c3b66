using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The bearer token sync requests carry, and its renewal: every call to the server goes through
/// <see cref="AuthorizedAsync"/>. On a 401 the device session's refresh token (kept in the local database with
/// the account) is spent at <c>POST /auth/refresh</c> for a new access token and refresh token, and the request
/// is sent once more; only when that fails (no refresh token, or the server refused it: logged out, revoked,
/// expired) is the app asked through <see cref="SyncClientOptions.RefreshAccessToken"/>. Concurrent 401s share
/// one renewal, so one refresh token is never presented twice (the server would take that for theft and
/// revoke the device).
/// </summary>
internal sealed class AccessTokens(Func<CancellationToken, Task<string>>? appRefresh, ISyncTransport transport, LocalDatabase db)
{
    private readonly Lock _gate = new();
    private Task<string>? _renewal;
    private string? _refreshToken;
    private bool _refreshTokenLoaded;

    /// <summary>Set by signup and login, by a refresh, or by the app.</summary>
    public string? Current { get; set; }

    /// <summary>Whether a 401 can be answered by anything: a refresh token (possibly stored) or the app's callback.</summary>
    public bool CanRefresh => appRefresh is not null || !_refreshTokenLoaded || _refreshToken is not null;

    /// <summary>Calls the server with the current token; on 401 renews it and sends the same request once more.</summary>
    public async Task<T> AuthorizedAsync<T>(Func<string, Task<T>> call, CancellationToken cancellationToken)
    {
        var token = await CurrentOrRefreshAsync(cancellationToken);
        try
        {
            return await call(token);
        }
        catch (SyncTransportException e) when (e.IsUnauthorized && CanRefresh)
        {
            token = await RefreshAsync(e, cancellationToken, refused: token);
            return await call(token);
        }
    }

    /// <summary>The current token, or a new one when there is none.</summary>
    public async Task<string> CurrentOrRefreshAsync(CancellationToken cancellationToken) =>
        Current ?? await RefreshAsync(null, cancellationToken);

    /// <summary>Keeps the tokens of a signup, login or refresh answer (the refresh token is stored by the caller or here).</summary>
    public void Use(string accessToken, string? refreshToken)
    {
        lock (_gate)
        {
            Current = accessToken;
            _refreshToken = refreshToken;
            _refreshTokenLoaded = true;
        }
    }

    /// <summary>
    /// A new token: by the refresh token, else from the app's callback; without either, <paramref name="cause"/>
    /// (or a 401) is thrown. When <paramref name="refused"/> (the token a request was refused with) is no longer
    /// current, another caller renewed it meanwhile and the current one is returned as it is.
    /// </summary>
    public Task<string> RefreshAsync(SyncTransportException? cause, CancellationToken cancellationToken, string? refused = null)
    {
        TaskCompletionSource<string>? mine = null;
        Task<string> renewal;
        lock (_gate)
        {
            if (refused is not null && Current is { } current && !string.Equals(current, refused, StringComparison.Ordinal))
            {
                return Task.FromResult(current);
            }

            if (_renewal is null)
            {
                mine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                _renewal = mine.Task;
            }

            renewal = _renewal;
        }

        // One renewal at a time, shared by every caller; it runs without any caller's cancellation so that one
        // caller giving up does not fail the others (or leave a spent refresh token unrecorded).
        if (mine is not null)
        {
            _ = RenewAsync(mine, cause);
        }

        return renewal.WaitAsync(cancellationToken);
    }

    private async Task RenewAsync(TaskCompletionSource<string> result, SyncTransportException? cause)
    {
        string? token = null;
        Exception? failure = null;
        try
        {
            token = await NewTokenAsync(cause);
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Cleared before the waiters resume: a 401 right after this renewal starts a new one.
        lock (_gate)
        {
            _renewal = null;
        }

        if (failure is null)
        {
            result.SetResult(token!);
        }
        else
        {
            result.SetException(failure);
        }
    }

    private async Task<string> NewTokenAsync(SyncTransportException? cause)
    {
        var refreshToken = await StoredRefreshTokenAsync();
        if (refreshToken is not null)
        {
            try
            {
                var auth = await transport.RefreshAsync(new RefreshRequest { RefreshToken = refreshToken }, CancellationToken.None);
                await StoreRefreshTokenAsync(auth.RefreshToken);
                lock (_gate)
                {
                    Current = auth.AccessToken;
                }

                return auth.AccessToken;
            }
            catch (SyncTransportException e) when (e.IsUnauthorized)
            {
                // Logged out, revoked, expired or spent: the session is over, and the token is not tried again.
                await StoreRefreshTokenAsync(null);
                cause = e;
            }
        }

        if (appRefresh is null)
        {
            throw cause ?? new SyncTransportException(401, ErrorCodes.Unauthorized, "No access token: sign up, log in or set AccessToken first.");
        }

        var token = await appRefresh(CancellationToken.None);
        lock (_gate)
        {
            Current = token;
        }

        return token;
    }

    private async Task<string?> StoredRefreshTokenAsync()
    {
        if (!_refreshTokenLoaded)
        {
            var stored = await db.WriteAsync(w => w.GetMeta(MetaKeys.RefreshToken), CancellationToken.None);
            lock (_gate)
            {
                if (!_refreshTokenLoaded)
                {
                    _refreshToken = stored;
                    _refreshTokenLoaded = true;
                }
            }
        }

        return _refreshToken;
    }

    private async Task StoreRefreshTokenAsync(string? refreshToken)
    {
        // Written before it is used: a crash right after a rotation must not leave the spent token behind.
        await db.WriteAsync(w =>
        {
            w.SetMeta(MetaKeys.RefreshToken, refreshToken);
            return true;
        }, CancellationToken.None);
        lock (_gate)
        {
            _refreshToken = refreshToken;
            _refreshTokenLoaded = true;
        }
    }
}
