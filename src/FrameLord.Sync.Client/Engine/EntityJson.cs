using System.Text.Json.Nodes;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Engine;

/// <summary>Field-level operations on entity JSON objects.</summary>
internal static class EntityJson
{
    /// <summary>Fields the server derives: never part of a patch, never contested.</summary>
    public static bool IsDerived(string name) =>
        name is EntityFields.Id or EntityFields.CreatedAt or EntityFields.UpdatedAt or EntityFields.SyncVersion;

    /// <summary>Local-only fields: never pushed (Contact Zero's marker).</summary>
    public static bool IsLocalOnly(string name) => name is EntityFields.IsContactZero;

    /// <summary>Sets every field of <paramref name="patch"/> on <paramref name="target"/> (later values win).</summary>
    public static void Apply(JsonObject target, JsonObject? patch)
    {
        if (patch is null)
        {
            return;
        }

        foreach (var (name, value) in patch)
        {
            target[name] = value?.DeepClone();
        }
    }

    /// <summary>A copy of <paramref name="a"/> with the fields of <paramref name="b"/> set on it.</summary>
    public static JsonObject Merge(JsonObject? a, JsonObject? b)
    {
        var result = a is null ? new JsonObject() : (JsonObject)a.DeepClone();
        Apply(result, b);
        return result;
    }

    /// <summary>
    /// The fields of <paramref name="after"/> that differ from <paramref name="before"/>; a field
    /// present before and gone after is set to null. Derived and local-only fields are left out.
    /// </summary>
    public static JsonObject Diff(JsonObject before, JsonObject after)
    {
        var patch = new JsonObject();
        foreach (var (name, value) in after)
        {
            if (IsDerived(name) || IsLocalOnly(name))
            {
                continue;
            }

            // Absent and null are the same value: a model that never set a field must not push a null for it.
            if (!JsonNode.DeepEquals(Field(before, name), value))
            {
                patch[name] = value?.DeepClone();
            }
        }

        foreach (var (name, old) in before)
        {
            if (!IsDerived(name) && !IsLocalOnly(name) && !after.ContainsKey(name) && old is not null)
            {
                patch[name] = null;
            }
        }

        return patch;
    }

    /// <summary>The value of a field, treating absent as null.</summary>
    public static JsonNode? Field(JsonObject? entity, string name) =>
        entity is not null && entity.TryGetPropertyValue(name, out var value) ? value : null;

    /// <summary>True when the two objects have the same value for <paramref name="name"/> (absent equals null).</summary>
    public static bool SameField(JsonObject? a, JsonObject? b, string name) => JsonNode.DeepEquals(Field(a, name), Field(b, name));

    /// <summary>The user-visible fields (not derived) whose values differ.</summary>
    public static List<string> ChangedFields(JsonObject before, JsonObject after)
    {
        var changed = new List<string>();
        foreach (var (name, _) in after)
        {
            if (!IsDerived(name) && !SameField(before, after, name))
            {
                changed.Add(name);
            }
        }

        foreach (var (name, _) in before)
        {
            if (!IsDerived(name) && !after.ContainsKey(name) && Field(before, name) is not null)
            {
                changed.Add(name);
            }
        }

        return changed;
    }

    /// <summary>Writes the metadata fields the app sees on the entity.</summary>
    public static void SetMetadata(JsonObject data, string id, long createdAt, long updatedAt, long syncVersion, bool isArchived)
    {
        data[EntityFields.Id] = id;
        // UTC DateTime values serialize with a Z, as the server writes them.
        data[EntityFields.CreatedAt] = new DateTime(createdAt, DateTimeKind.Utc);
        data[EntityFields.UpdatedAt] = new DateTime(updatedAt, DateTimeKind.Utc);
        data[EntityFields.SyncVersion] = syncVersion;
        data[EntityFields.IsArchived] = isArchived;
    }

    public static bool IsArchived(JsonObject? data) =>
        Field(data, EntityFields.IsArchived) is JsonValue v && v.TryGetValue<bool>(out var archived) && archived;

    /// <summary>
    /// The entity as a create pushes it: its fields, id and created_at; no server-managed or local-only
    /// fields, and no null fields (absent and null are the same value, and an unset field costs the
    /// server a stamp and every device bytes).
    /// </summary>
    public static JsonObject Pushable(JsonObject data)
    {
        var result = new JsonObject();
        foreach (var (name, value) in data)
        {
            if (value is not null && name is not (EntityFields.UpdatedAt or EntityFields.SyncVersion or EntityFields.IsContactZero))
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }
}
