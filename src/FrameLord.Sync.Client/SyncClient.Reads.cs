namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Changes the server refused, newest first (they are no longer in the outbox).</summary>
    public Task<IReadOnlyList<RejectedChange>> GetRejectedChangesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RejectedChange>>(_db.Reader.RejectedChanges());
}
