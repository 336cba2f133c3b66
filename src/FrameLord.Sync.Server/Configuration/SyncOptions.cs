namespace FrameLord.Sync.Server.Configuration;

/// <summary>How concurrent writes of one entity are merged (DESIGN 4).</summary>
public enum ConflictPolicy
{
    /// <summary>Each field is its own last-writer-wins register (the default).</summary>
    Field,

    /// <summary>The seed's rule: a whole change wins or loses against the entity's last write.</summary>
    Entity,
}

/// <summary>When a document's update log is folded into its snapshot.</summary>
public enum DocumentCompactionMode
{
    Background,
    Inline,
}

/// <summary>Configuration section <c>Sync</c>.</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary><c>field</c> (default) or <c>entity</c>.</summary>
    public ConflictPolicy ConflictPolicy { get; set; } = ConflictPolicy.Field;

    /// <summary>Schema versions push and pull accept. Default: <c>["1"]</c>.</summary>
    public string[]? SupportedSchemaVersions { get; set; }

    /// <summary>What a 426 SCHEMA_MISMATCH tells the client to move to. Default: the highest supported version.</summary>
    public string? RequiredVersion { get; set; }

    /// <summary>
    /// Per entity type, the fields whose concurrent edits need review when the two writes are within
    /// <see cref="ReviewWindow"/>. Default: contact email, phone and status.
    /// </summary>
    public Dictionary<string, string[]>? CriticalFields { get; set; }

    /// <summary>Two writes of a critical field closer than this (by client time) need review. Default 60 s.</summary>
    public TimeSpan ReviewWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long tombstones (and recorded change outcomes) are kept. Default 90 days.</summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the purge of old tombstones runs. Default one hour; zero disables it.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A document's update log is compacted into its snapshot past this many updates. Default 100.</summary>
    public int DocumentCompactionUpdates { get; set; } = 100;

    /// <summary>…or past this many bytes of logged updates. Default 1 MiB.</summary>
    public long DocumentCompactionBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// <c>background</c> (default): compaction runs on a background worker after the sync that crossed a
    /// threshold; <c>inline</c>: that sync compacts before it returns (deterministic, for simulations).
    /// </summary>
    public DocumentCompactionMode DocumentCompaction { get; set; } = DocumentCompactionMode.Background;

    public IReadOnlyList<string> EffectiveSchemaVersions => SupportedSchemaVersions is { Length: > 0 } v ? v : ["1"];

    public string EffectiveRequiredVersion => RequiredVersion ?? EffectiveSchemaVersions.Max(StringComparer.Ordinal)!;

    public IReadOnlyDictionary<string, string[]> EffectiveCriticalFields =>
        CriticalFields ?? new Dictionary<string, string[]>(StringComparer.Ordinal) { ["contact"] = ["email", "phone", "status"] };
}
