using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Creates the account on the server, then this device's Contact Zero from the answer (DESIGN 5.4).</summary>
    public Task<AuthResponse> SignupAsync(string email, string password, string? displayName = null, CancellationToken cancellationToken = default) =>
        _account.SignupAsync(email, password, displayName, cancellationToken);

    /// <summary>Logs in; on a device new to the account, creates its Contact Zero.</summary>
    public Task<AuthResponse> LoginAsync(string email, string password, CancellationToken cancellationToken = default) =>
        _account.LoginAsync(email, password, cancellationToken);

    /// <summary>
    /// Binds this database to the account of a signup or login answer: stores the user and Contact Zero
    /// ids, keeps the token, and creates Contact Zero locally if it is missing. Contact Zero is never
    /// queued, pushed or pulled. A database belongs to one account: another user's answer is refused.
    /// </summary>
    public Task UseAccountAsync(AuthResponse auth, string? displayName = null, string? email = null, CancellationToken cancellationToken = default) =>
        _account.BindAsync(auth, displayName, email, cancellationToken);

    private Task<T> AuthorizedAsync<T>(Func<string, Task<T>> call, CancellationToken cancellationToken) => _tokens.AuthorizedAsync(call, cancellationToken);

    private Task<string> RefreshTokenAsync(SyncTransportException? cause, CancellationToken cancellationToken) => _tokens.RefreshAsync(cause, cancellationToken);
}
