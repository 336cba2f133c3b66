namespace FrameLord.Sync.Server.Configuration;

/// <summary>Configuration section <c>Limits</c> (DESIGN 8). Every limit answers as the contract says, never with a 500.</summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body, compressed and after decompression. Default 10 MiB (413 above).</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Most changes in one push. Default 1,000 (400 above).</summary>
    public int MaxChangesPerPush { get; set; } = 1000;

    /// <summary>Largest entity JSON after a change. Default 256 KiB (the change fails with ENTITY_TOO_LARGE).</summary>
    public int MaxEntityBytes { get; set; } = 256 * 1024;

    /// <summary>Largest Yjs update in one document sync. Default 10 MiB (413 above).</summary>
    public int MaxYjsUpdateBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Pull page size when the request gives none. Default 500.</summary>
    public int DefaultPullLimit { get; set; } = 500;

    /// <summary>Largest pull page; larger requests are capped. Default 1,000.</summary>
    public int MaxPullLimit { get; set; } = 1000;

    /// <summary>Conflicts listing page size when the request gives none. Default 100.</summary>
    public int DefaultConflictsLimit { get; set; } = 100;

    /// <summary>Largest conflicts listing page; larger requests are capped. Default 500.</summary>
    public int MaxConflictsLimit { get; set; } = 500;

    /// <summary>Deepest JSON nesting, counted from the request root. Default 64 (400 deeper).</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Requests per user (or per address, before login) per minute. Default 600 (429 above).</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Longest ids (entity, change, device, conflict, note), in UTF-16 units. Default 200.</summary>
    public int MaxIdLength { get; set; } = 200;
}
