namespace FrameLord.Sync.Client;

/// <summary>
/// What the sync indicator shows. <see cref="Status"/> takes the first that applies: syncing, offline,
/// error, conflict, pending, synced.
/// </summary>
/// <param name="Status">The indicator.</param>
/// <param name="LastSyncAt">When the last full sync (pull, push, pull) succeeded; null if never.</param>
/// <param name="PendingChanges">Entries in the outbox (note bodies count in <see cref="UnsyncedDocuments"/>).</param>
/// <param name="Conflicts">Conflicts that need review (open).</param>
/// <param name="IsStale">True when no sync succeeded for longer than <see cref="SyncClientOptions.StaleAfter"/>.</param>
/// <param name="LastError">The error of the last failed sync, until one succeeds.</param>
public sealed record SyncState(
    SyncStatus Status, DateTimeOffset? LastSyncAt, int PendingChanges, int Conflicts, bool IsStale, SyncException? LastError)
{
    /// <summary>Notes whose body has edits made on this device that the server does not have yet (and did not refuse).</summary>
    public int UnsyncedDocuments { get; init; }
}
