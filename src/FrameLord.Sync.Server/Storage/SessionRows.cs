using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace FrameLord.Sync.Server.Storage;

/// <summary>Column lists and row readers of the account lifecycle tables, shared by both stores.</summary>
internal static class SessionRows
{
    public const string DeviceColumns = "user_id, device_id, device_name, session_id, created_at, last_seen_at";

    /// <summary>
    /// Every table that holds rows of a user, children before the user row. Deleting an account deletes from
    /// each; the storage tests check that no table with a user_id column is missing here.
    /// </summary>
    public static readonly string[] UserTables =
    [
        "refresh_tokens", "devices", "document_updates", "document_snapshots", "documents",
        "conflicts", "applied_changes", "entities", "users",
    ];

    public static DeviceSession Device(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        Ticks.ToTime(r.GetInt64(4)),
        Ticks.ToTime(r.GetInt64(5)));

    /// <summary>The columns <see cref="Token"/> reads, for the query that finds a presented refresh token.</summary>
    public const string TokenColumns = "user_id, device_id, session_id, expires_at, spent_at IS NOT NULL";

    public static StoredRefreshToken Token(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetBoolean(4));

    /// <summary>
    /// The verdict on a presented refresh token from its row and its device's, the same for both stores:
    /// false when it is live and is to be rotated (its device then exists). On
    /// <see cref="RefreshVerdict.Reused"/> the caller deletes the device (its whole chain) in the same transaction.
    /// </summary>
    public static bool IsRefused(StoredRefreshToken token, [NotNullWhen(false)] DeviceSession? device, DateTimeOffset now,
        [NotNullWhen(true)] out RefreshOutcome? verdict)
    {
        verdict = device is null || device.SessionId != token.SessionId ? new RefreshOutcome(RefreshVerdict.Unknown, null)
            : token.Spent ? new RefreshOutcome(RefreshVerdict.Reused, device)
            : token.ExpiresAt <= Ticks.From(now) ? new RefreshOutcome(RefreshVerdict.Expired, device)
            : null;
        return verdict is not null;
    }
}

/// <summary>A refresh token's row: whose it is, its session, expiry (ticks), and whether it was spent.</summary>
internal readonly record struct StoredRefreshToken(string UserId, string DeviceId, string SessionId, long ExpiresAt, bool Spent);
