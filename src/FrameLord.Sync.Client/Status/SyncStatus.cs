namespace FrameLord.Sync.Client;

/// <summary>The sync indicator (the seed's "Sync Status Indicator").</summary>
public enum SyncStatus
{
    /// <summary>Every local change is pushed and the last pull succeeded.</summary>
    Synced,

    /// <summary>A pull or push is running.</summary>
    Syncing,

    /// <summary>Local changes wait in the outbox, or note bodies have edits not yet synced.</summary>
    Pending,

    /// <summary>The server could not be reached; the loop retries with backoff.</summary>
    Offline,

    /// <summary>The last sync failed (server error, refused token, schema mismatch); see <see cref="SyncState.LastError"/>.</summary>
    Error,

    /// <summary>Conflicts need the user's review.</summary>
    Conflict,
}
