namespace FrameLord.Sync.Protocol;

/// <summary>Names of the fields every entity carries (DESIGN 1); the server manages some of them.</summary>
public static class EntityFields
{
    public const string Id = "id";
    public const string CreatedAt = "created_at";
    public const string UpdatedAt = "updated_at";
    public const string SyncVersion = "sync_version";
    public const string IsArchived = "is_archived";

    /// <summary>Marks a contact as the user's Contact Zero; such a contact is never synced.</summary>
    public const string IsContactZero = "is_contact_zero";
}
