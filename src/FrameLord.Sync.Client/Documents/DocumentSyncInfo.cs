namespace FrameLord.Sync.Client;

/// <summary>What the device knows of a note body's sync.</summary>
/// <param name="SyncVersion">The server's sync_version of the document at the last sync (0 before one).</param>
/// <param name="HasUnsyncedChanges">True when edits made on this device are not on the server yet.</param>
/// <param name="LastSyncedAt">When the device last synced the note; null if never.</param>
/// <param name="LogUpdates">Updates in the note's local log (compacted past <see cref="SyncClientOptions.DocumentLogCompactionUpdates"/>).</param>
/// <param name="FailedCode">The error code of the server's refusal of this device's update, until a new local edit or a successful send.</param>
/// <param name="FailedMessage">The refusal's message.</param>
public sealed record DocumentSyncInfo(
    long SyncVersion, bool HasUnsyncedChanges, DateTimeOffset? LastSyncedAt, int LogUpdates, string? FailedCode, string? FailedMessage);
