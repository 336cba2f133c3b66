namespace FrameLord.Sync.Server.Storage;

/// <summary>The backend <c>Storage:Provider</c> selected, as a service (the signing key asks it where a generated key lives).</summary>
internal sealed record SelectedStoreBackend(ISyncStoreBackend Backend);
