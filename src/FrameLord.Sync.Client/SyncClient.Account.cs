using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Creates the account on the server, then this device's Contact Zero from the answer (DESIGN 5.4).</summary>
    public async Task<AuthResponse> SignupAsync(string email, string password, string? displayName = null, CancellationToken cancellationToken = default)
    {
        var auth = await _transport.SignupAsync(
            new SignupRequest { Email = email, Password = password, DisplayName = displayName }, cancellationToken);
        await UseAccountAsync(auth, displayName, email, cancellationToken);
        return auth;
    }

    /// <summary>Logs in; on a device new to the account, creates its Contact Zero.</summary>
    public async Task<AuthResponse> LoginAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var auth = await _transport.LoginAsync(new LoginRequest { Email = email, Password = password }, cancellationToken);
        await UseAccountAsync(auth, null, email, cancellationToken);
        return auth;
    }

    /// <summary>
    /// Binds this database to the account of a signup or login answer: stores the user and Contact Zero
    /// ids, keeps the token, and creates Contact Zero locally if it is missing. Contact Zero is never
    /// queued, pushed or pulled. A database belongs to one account: another user's answer is refused.
    /// </summary>
    public async Task UseAccountAsync(AuthResponse auth, string? displayName = null, string? email = null, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().UtcTicks;
        await _db.WriteAsync(w =>
        {
            var user = w.GetMeta(MetaKeys.UserId);
            if (user is not null && !string.Equals(user, auth.UserId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"This database belongs to user {user}; open another file for user {auth.UserId}.");
            }

            w.SetMeta(MetaKeys.UserId, auth.UserId);
            w.SetMeta(MetaKeys.ContactZeroId, auth.ContactZeroId);
            if (w.GetEntity(EntityTypes.Contact, auth.ContactZeroId) is null)
            {
                var data = new JsonObject { ["name"] = displayName, ["email"] = email, [EntityFields.IsContactZero] = true };
                EntityJson.SetMetadata(data, auth.ContactZeroId, now, now, 1, false);
                w.PutEntity(new LocalEntity
                {
                    EntityType = EntityTypes.Contact,
                    EntityId = auth.ContactZeroId,
                    Data = data,
                    SyncVersion = 1,
                    CreatedAt = now,
                    UpdatedAt = now,
                    IsContactZero = true,
                });
            }

            return true;
        }, cancellationToken);

        UserId = auth.UserId;
        ContactZeroId = auth.ContactZeroId;
        AccessToken = auth.AccessToken;
    }

    /// <summary>Calls the server with the current token; on 401 asks for a new one and sends the same request once more.</summary>
    private async Task<T> AuthorizedAsync<T>(Func<string, Task<T>> call, CancellationToken cancellationToken)
    {
        var token = AccessToken ?? await RefreshTokenAsync(null, cancellationToken);
        try
        {
            return await call(token);
        }
        catch (SyncTransportException e) when (e.IsUnauthorized && _options.RefreshAccessToken is not null)
        {
            token = await RefreshTokenAsync(e, cancellationToken);
            return await call(token);
        }
    }

    private async Task<string> RefreshTokenAsync(SyncTransportException? cause, CancellationToken cancellationToken)
    {
        if (_options.RefreshAccessToken is null)
        {
            throw cause ?? new SyncTransportException(401, ErrorCodes.Unauthorized, "No access token: sign up, log in or set AccessToken first.");
        }

        var token = await _options.RefreshAccessToken(cancellationToken);
        AccessToken = token;
        return token;
    }
}
