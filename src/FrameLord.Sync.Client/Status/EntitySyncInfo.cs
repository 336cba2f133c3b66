namespace FrameLord.Sync.Client;

/// <summary>An entity's sync metadata (the seed's "Sync Metadata").</summary>
/// <param name="SyncVersion">The device's version: +1 per local edit, never below the server's.</param>
/// <param name="ServerVersion">The last server version the device knows; 0 when the server never confirmed the entity.</param>
/// <param name="UpdatedAt">Last change, local or pulled.</param>
/// <param name="LastSyncedAt">When this device last pushed or pulled the entity.</param>
/// <param name="LastSyncedDeviceId">The device that wrote the state last synced (this one after a push).</param>
/// <param name="PendingChanges">Outbox entries for the entity.</param>
public sealed record EntitySyncInfo(
    long SyncVersion, long ServerVersion, DateTimeOffset UpdatedAt, DateTimeOffset? LastSyncedAt, string? LastSyncedDeviceId, int PendingChanges);
