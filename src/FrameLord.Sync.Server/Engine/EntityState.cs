using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// An entity being merged: its fields (is_archived among them: a delete is that field set to true),
/// their stamps, and the metadata the server derives. Mutable; <see cref="Clone"/> before a change
/// that may be refused.
/// </summary>
internal sealed class EntityState
{
    private EntityState(string entityType, string entityId)
    {
        EntityType = entityType;
        EntityId = entityId;
    }

    public string EntityType { get; }

    public string EntityId { get; }

    /// <summary>True when a row exists in the store (or was written earlier in this transaction).</summary>
    public bool Exists { get; set; }

    public long Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string ModifiedBy { get; set; } = "";

    public Dictionary<string, JsonElement> Fields { get; private init; } = new(StringComparer.Ordinal);

    public Dictionary<string, FieldStamp> Stamps { get; private init; } = new(StringComparer.Ordinal);

    /// <summary>The greatest stamp of any write applied to the entity (entity LWW compares against it).</summary>
    public FieldStamp? EntityStamp { get; set; }

    public bool IsArchived => Fields.TryGetValue(EntityFields.IsArchived, out var v) && v.ValueKind == JsonValueKind.True;

    public EntityKey Key => new(EntityType, EntityId);

    public static EntityState New(string entityType, string entityId) => new(entityType, entityId);

    public static EntityState FromRow(EntityRow row)
    {
        var state = new EntityState(row.EntityType, row.EntityId)
        {
            Exists = true,
            Version = row.SyncVersion,
            CreatedAt = row.CreatedAt,
            UpdatedAt = row.UpdatedAt,
            ModifiedBy = row.ModifiedByDevice,
        };

        // The document is left undisposed on purpose: the field values point into it for the
        // whole merge, and its pooled buffer simply goes back to the GC.
        var data = JsonDocument.Parse(row.DataJson).RootElement;
        foreach (var property in data.EnumerateObject())
        {
            if (!IsDerived(property.Name))
            {
                state.Fields[property.Name] = property.Value;
            }
        }

        state.EntityStamp = StampCodec.Read(row.StampsJson, state.Stamps);
        return state;
    }

    /// <summary>Fields the server derives and never takes from a change.</summary>
    public static bool IsDerived(string name) =>
        name is EntityFields.Id or EntityFields.CreatedAt or EntityFields.UpdatedAt or EntityFields.SyncVersion;

    public EntityState Clone()
    {
        var copy = new EntityState(EntityType, EntityId)
        {
            Exists = Exists,
            Version = Version,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            ModifiedBy = ModifiedBy,
            EntityStamp = EntityStamp,
            Fields = new Dictionary<string, JsonElement>(Fields, StringComparer.Ordinal),
            Stamps = new Dictionary<string, FieldStamp>(Stamps, StringComparer.Ordinal),
        };
        return copy;
    }

    /// <summary>The full entity as pull serves it: id, its fields, then the metadata.</summary>
    public byte[] WriteData()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(EntityFields.Id, EntityId);
            foreach (var (name, value) in Fields)
            {
                if (name != EntityFields.IsArchived)
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteString(EntityFields.CreatedAt, CreatedAt.UtcDateTime);
            writer.WriteString(EntityFields.UpdatedAt, UpdatedAt.UtcDateTime);
            writer.WriteNumber(EntityFields.SyncVersion, Version);
            writer.WriteBoolean(EntityFields.IsArchived, IsArchived);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Entity JSON goes to API clients, never into HTML: only what JSON itself requires is escaped.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string WriteStamps() => StampCodec.Write(EntityStamp, Stamps);

    public EntityRow ToRow(long seq, DateTimeOffset serverNow, byte[] data) => new(
        EntityType,
        EntityId,
        seq,
        Version,
        IsArchived,
        CreatedAt,
        UpdatedAt,
        serverNow,
        ModifiedBy,
        System.Text.Encoding.UTF8.GetString(data),
        WriteStamps());
}
