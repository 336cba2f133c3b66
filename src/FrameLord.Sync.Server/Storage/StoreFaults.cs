namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// Named points inside store operations where tests inject failures (a crash mid-batch, a lost
/// connection). Production leaves <see cref="OnPoint"/> null, which costs one null check.
/// </summary>
public sealed class StoreFaults
{
    /// <summary>Between the entity writes and the outcome writes of one transaction.</summary>
    public const string AfterEntityWrites = "save.after-entities";

    /// <summary>Compaction: after the new snapshot is written, before the folded log is deleted.</summary>
    public const string AfterSnapshotWrite = "compact.after-snapshot";

    /// <summary>Right before commit.</summary>
    public const string BeforeCommit = "commit.before";

    /// <summary>Called with the point's name; throw to simulate a failure there.</summary>
    public Func<string, ValueTask>? OnPoint { get; set; }

    internal ValueTask HitAsync(string point) => OnPoint is { } hook ? hook(point) : ValueTask.CompletedTask;
}
