namespace FrameLord.Sync.Client;

/// <summary>What one <see cref="SyncClient.SyncNowAsync"/> did.</summary>
/// <param name="Pulled">Changes applied from pulls.</param>
/// <param name="Pushed">Changes the server accepted.</param>
/// <param name="Rejected">Changes the server refused (out of the outbox, see <see cref="SyncClient.ChangeRejected"/>).</param>
/// <param name="Conflicts">Conflicts the pushes met.</param>
/// <param name="Documents">Note bodies synced (each one exchange with the server, or two after a refused delta).</param>
public sealed record SyncResult(int Pulled, int Pushed, int Rejected, int Conflicts, int Documents);
