namespace FrameLord.Sync.Server.Storage;

/// <summary>An account. Emails are stored normalized (trimmed, lower case).</summary>
public sealed record UserRecord(
    string UserId,
    string Email,
    string PasswordHash,
    string DisplayName,
    string ContactZeroId,
    DateTimeOffset CreatedAt);

/// <summary>Identifies an entity within one user's data.</summary>
public readonly record struct EntityKey(string EntityType, string EntityId);

/// <summary>
/// An entity row as stored. <see cref="DataJson"/> is the full entity as pull serves it (fields and
/// metadata); <see cref="StampsJson"/> holds the per-field stamps the merge needs. <see cref="Seq"/>
/// is the user's change sequence number of the entity's latest write: the pull cursor orders by it.
/// </summary>
public sealed record EntityRow(
    string EntityType,
    string EntityId,
    long Seq,
    long SyncVersion,
    bool IsArchived,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ServerUpdatedAt,
    string ModifiedByDevice,
    string DataJson,
    string StampsJson)
{
    public EntityKey Key => new(EntityType, EntityId);
}

/// <summary>The recorded outcome of one pushed change, keyed by user, device and change id.</summary>
public sealed record OutcomeRow(string DeviceId, string ChangeId, string OutcomeJson, DateTimeOffset CreatedAt);

/// <summary>A conflict as stored: <see cref="ConflictJson"/> is the wire object without its status.</summary>
public sealed record ConflictRow(
    string ConflictId,
    string DeviceId,
    string ChangeId,
    string EntityType,
    string EntityId,
    bool NeedsReview,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ResolvedAt,
    string ConflictJson);

/// <summary>A place in the conflicts listing's order (created_at, then conflict id).</summary>
public sealed record ConflictPosition(DateTimeOffset CreatedAt, string ConflictId);

/// <summary>A change of a conflict's status (resolution).</summary>
public sealed record ConflictStatusUpdate(string ConflictId, string Status, DateTimeOffset ResolvedAt);

/// <summary>Everything one write transaction stores, handed to the store in one call.</summary>
public sealed class WriteSet
{
    /// <summary>Entities to insert or replace; each carries its new <see cref="EntityRow.Seq"/>.</summary>
    public List<EntityRow> Entities { get; } = [];
    public List<OutcomeRow> Outcomes { get; } = [];
    public List<ConflictRow> NewConflicts { get; } = [];
    public List<ConflictStatusUpdate> ConflictUpdates { get; } = [];
    /// <summary>The user's change sequence after this write (the highest seq of <see cref="Entities"/>).</summary>
    public long NewSeq { get; set; }

    public bool IsEmpty => Entities.Count == 0 && Outcomes.Count == 0 && NewConflicts.Count == 0 && ConflictUpdates.Count == 0;
}

/// <summary>
/// One page of a pull: rows in seq order, whether more follow, the user's purged seq and change seq,
/// all from one snapshot.
/// </summary>
public sealed record ChangePage(IReadOnlyList<EntityRow> Rows, bool HasMore, long PurgedSeq, long ChangeSeq);

/// <summary>What a tombstone purge removed.</summary>
public sealed record PurgeResult(int TombstonesDeleted, int OutcomesDeleted);

/// <summary>An email's failed logins: how many since <see cref="Start"/>, when its window began.</summary>
public sealed record FailedLoginWindow(DateTimeOffset Start, int Failures);
