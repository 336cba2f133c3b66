using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>Signup, login, and binding the database to the account they answer with (DESIGN 5.4).</summary>
internal sealed class AccountBinder(
    LocalDatabase db, TimeProvider time, ISyncTransport transport, DeviceIdentity identity, AccessTokens tokens, string? deviceName)
{
    public async Task<AuthResponse> SignupAsync(string email, string password, string? displayName, CancellationToken cancellationToken)
    {
        var auth = await transport.SignupAsync(new SignupRequest
        {
            Email = email, Password = password, DisplayName = displayName, DeviceId = identity.DeviceId, DeviceName = deviceName,
        }, cancellationToken);
        await BindAsync(auth, displayName, email, cancellationToken);
        return auth;
    }

    public async Task<AuthResponse> LoginAsync(string email, string password, CancellationToken cancellationToken)
    {
        var auth = await transport.LoginAsync(new LoginRequest
        {
            Email = email, Password = password, DeviceId = identity.DeviceId, DeviceName = deviceName,
        }, cancellationToken);
        await BindAsync(auth, null, email, cancellationToken);
        return auth;
    }

    /// <summary>
    /// Stores the user and Contact Zero ids, keeps the tokens (the refresh token in the database), and creates Contact Zero locally if it is missing.
    /// Contact Zero is never queued, pushed or pulled. A database belongs to one account: another user's answer is refused.
    /// </summary>
    public async Task BindAsync(AuthResponse auth, string? displayName, string? email, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        await db.WriteAsync(w =>
        {
            var user = w.GetMeta(MetaKeys.UserId);
            if (user is not null && !string.Equals(user, auth.UserId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"This database belongs to user {user}; open another file for user {auth.UserId}.");
            }

            w.SetMeta(MetaKeys.UserId, auth.UserId);
            w.SetMeta(MetaKeys.ContactZeroId, auth.ContactZeroId);
            // The session's refresh token stays with the account; an answer without one (a server without device
            // sessions, or an app binding its own token) leaves none, so no stale token of another session is spent.
            w.SetMeta(MetaKeys.RefreshToken, auth.RefreshToken);
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

        identity.Bind(auth.UserId, auth.ContactZeroId);
        tokens.Use(auth.AccessToken, auth.RefreshToken);
    }
}
