using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Parts;

namespace FrameLord.Sync.Client;

/// <summary>
/// The typed local store of one entity type. Reads see the local database only (they work offline);
/// writes commit the entity and its outbox entry in one transaction and return at once.
/// </summary>
public sealed class EntityStore<T> where T : SyncEntity
{
    private readonly EntityWriter _writer;
    private readonly LocalReader _reader;
    private readonly Random _random;
    private readonly string _idPrefix;
    private readonly JsonTypeInfo<T> _type;

    internal EntityStore(EntityWriter writer, LocalReader reader, Random random, string entityType, string idPrefix, JsonTypeInfo<T> type)
    {
        _writer = writer;
        _reader = reader;
        _random = random;
        EntityType = entityType;
        _idPrefix = idPrefix;
        _type = type;
    }

    /// <summary>The wire name of the type, e.g. <c>contact</c>.</summary>
    public string EntityType { get; }

    /// <summary>The entity, archived or not; null when the device does not have it.</summary>
    public Task<T?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_reader.Entity(EntityType, id, _type));

    /// <summary>Every entity of the type, oldest first; archived ones only when asked.</summary>
    public Task<IReadOnlyList<T>> ListAsync(bool includeArchived = false, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<T>>(_reader.Entities(EntityType, includeArchived, _type));

    public Task<int> CountAsync(bool includeArchived = false, CancellationToken cancellationToken = default) =>
        Task.FromResult(_reader.CountEntities(EntityType, includeArchived));

    /// <summary>Creates the entity (an id is generated when <see cref="SyncEntity.Id"/> is empty) and queues it.</summary>
    public async Task<T> CreateAsync(T entity, CancellationToken cancellationToken = default)
    {
        var id = string.IsNullOrEmpty(entity.Id) ? NewId() : entity.Id;
        var stored = await _writer.WriteAsync(EntityType, id, EditKind.Create, _ => ToJson(entity), cancellationToken);
        return FromJson(stored.Data);
    }

    /// <summary>Saves the changed fields of <paramref name="entity"/> (compared with the stored one) and queues them.</summary>
    public async Task<T> UpdateAsync(T entity, CancellationToken cancellationToken = default)
    {
        var stored = await _writer.WriteAsync(EntityType, entity.Id, EditKind.Update, _ => ToJson(entity), cancellationToken);
        return FromJson(stored.Data);
    }

    /// <summary>Applies <paramref name="edit"/> to the stored entity, inside the write, and queues the changed fields.</summary>
    public async Task<T> UpdateAsync(string id, Action<T> edit, CancellationToken cancellationToken = default)
    {
        var stored = await _writer.WriteAsync(EntityType, id, EditKind.Update, current =>
        {
            var model = FromJson(current!.Data);
            edit(model);
            return ToJson(model);
        }, cancellationToken);
        return FromJson(stored.Data);
    }

    /// <summary>Deletes (archives) the entity: a tombstone that syncs and can be restored.</summary>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _writer.WriteAsync(EntityType, id, EditKind.Delete, null, cancellationToken);

    /// <summary>Restores an archived entity with the fields it had.</summary>
    public Task RestoreAsync(string id, CancellationToken cancellationToken = default) =>
        _writer.WriteAsync(EntityType, id, EditKind.Restore, null, cancellationToken);

    /// <summary>The entity's sync metadata, or null when the device does not have it.</summary>
    public Task<EntitySyncInfo?> GetSyncInfoAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_reader.SyncInfo(EntityType, id));

    private string NewId() => $"{_idPrefix}_{Convert.ToHexStringLower(RandomBytes.Next(_random, 12))}";

    private JsonObject ToJson(T entity) =>
        JsonSerializer.SerializeToNode(entity, _type) as JsonObject ?? throw new InvalidOperationException("An entity must serialize to an object.");

    private T FromJson(JsonObject data) => data.Deserialize(_type)!;
}
