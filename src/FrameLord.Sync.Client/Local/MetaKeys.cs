namespace FrameLord.Sync.Client.Local;

/// <summary>Keys of <c>sync_meta</c>.</summary>
internal static class MetaKeys
{
    public const string SchemaVersion = "schema_version";
    public const string DeviceId = "device_id";
    public const string UserId = "user_id";
    public const string ContactZeroId = "contact_zero_id";
    public const string Cursor = "cursor";
    public const string LastSyncAt = "last_sync_at";
    public const string CreatedAt = "created_at";

    /// <summary>The device session's refresh token (DESIGN 3.1), kept with the account it belongs to.</summary>
    public const string RefreshToken = "refresh_token";

    /// <summary>Set while a full resync (after 410) is under way: the time it began.</summary>
    public const string ResyncSince = "resync_since";
}
