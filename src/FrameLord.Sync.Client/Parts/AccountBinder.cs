using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>Signup, login, and binding the database to the account they answer with (DESIGN 5.4).</summary>
internal sealed class AccountBinder(LocalDatabase db, TimeProvider time, ISyncTransport transport, DeviceIdentity identity, AccessTokens tokens)
{
    public async Task<AuthResponse> SignupAsync(string email, string password, string? displayName, CancellationToken cancellationToken)
    {
        var auth = await transport.SignupAsync(new SignupRequest { Email = email, Password = password, DisplayName = displayName }, cancellationToken);
        await BindAsync(auth, displayName, email, cancellationToken);
        return auth;
    }

    public async Task<AuthResponse> LoginAsync(string email, string password, CancellationToken cancellationToken)
    {
        var auth = await transport.LoginAsync(new LoginRequest { Email = email, Password = password }, cancellationToken);
        await BindAsync(auth, null, email, cancellationToken);
        return auth;
    }

    /// <summary>
    /// Stores the user and Contact Zero ids, keeps the token, and creates Contact Zero locally if it is missing.
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
        tokens.Current = auth.AccessToken;
    }
}
