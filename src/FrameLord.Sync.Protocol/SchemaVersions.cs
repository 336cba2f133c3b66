namespace FrameLord.Sync.Protocol;

/// <summary>The schema version this build of the protocol speaks.</summary>
public static class SchemaVersions
{
    /// <summary>The current schema version, "1".</summary>
    public const string Current = "1";
}
