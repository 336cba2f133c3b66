using System.Text.Json.Serialization.Metadata;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    internal T? ReadEntity<T>(string entityType, string entityId, JsonTypeInfo<T> type) => _db.Reader.Entity(entityType, entityId, type);

    internal List<T> ReadEntities<T>(string entityType, bool includeArchived, JsonTypeInfo<T> type) => _db.Reader.Entities(entityType, includeArchived, type);

    internal int CountEntities(string entityType, bool includeArchived) => _db.Reader.CountEntities(entityType, includeArchived);

    internal EntitySyncInfo? ReadSyncInfo(string entityType, string entityId) => _db.Reader.SyncInfo(entityType, entityId);

    /// <summary>Changes the server refused, newest first (they are no longer in the outbox).</summary>
    public Task<IReadOnlyList<RejectedChange>> GetRejectedChangesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RejectedChange>>(_db.Reader.RejectedChanges());
}
