using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Parts;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>
/// Contact Zero portability (seed Open Question 5: one Contact Zero per account, a manual merge during
/// migration). Contact Zero never leaves the device through sync, so it leaves as a versioned,
/// self-describing file: the identity and, optionally, the entities that point at it. Importing on a device
/// of another account lets the user choose per field; references to the old id are rewritten to this
/// account's Contact Zero. Contact Zero itself is never queued, so nothing of it is pushed.
/// </summary>
internal sealed class ContactZeroPortability(LocalReader reader, TimeProvider time, DeviceIdentity identity, EntityWriter writer)
{
    /// <summary>The <c>format</c> of a Contact Zero file.</summary>
    public const string Format = "framelord.contact-zero";

    /// <summary>The newest file version this SDK writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes Contact Zero (and with <paramref name="includeReferences"/> every entity that points at it) as a UTF-8 JSON file.</summary>
    public Task<byte[]> ExportAsync(bool includeReferences)
    {
        var id = identity.ContactZeroId ?? throw new InvalidOperationException("No account: sign up or log in first.");
        var zero = reader.EntityJson(EntityTypes.Contact, id) is { } json ? Rows.ParseObject(json) : throw new InvalidOperationException("Contact Zero is not on this device.");
        var references = new JsonArray();
        if (includeReferences)
        {
            foreach (var (type, entityId, data) in reader.AllEntities())
            {
                var entity = Rows.ParseObject(data);
                if (PointsAt(entity, id))
                {
                    references.Add(new JsonObject { ["entity_type"] = type, ["entity_id"] = entityId, ["data"] = entity });
                }
            }
        }

        var file = new JsonObject
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["exported_at"] = time.GetUtcNow().UtcDateTime,
            ["contact_zero_id"] = id,
            ["contact_zero"] = zero,
            ["references"] = references,
        };
        return Task.FromResult(JsonSerializer.SerializeToUtf8Bytes(file));
    }

    /// <summary>Reads a file from <see cref="ExportAsync"/> for the merge form. Throws <see cref="ContactZeroFormatException"/> on anything else or a newer format.</summary>
    public ContactZeroImport Read(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(file) as JsonObject ?? throw new ContactZeroFormatException("Not a Contact Zero file: not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ContactZeroFormatException("Not a Contact Zero file: not JSON.", e);
        }

        if ((string?)root["format"] != Format || root["format_version"] is not JsonValue v || !v.TryGetValue<int>(out var version))
        {
            throw new ContactZeroFormatException("Not a Contact Zero file.");
        }

        if (version > FormatVersion)
        {
            throw new ContactZeroFormatException($"This Contact Zero file is format version {version}; this app reads up to {FormatVersion}. Update the app to import it.");
        }

        var oldId = (string?)root["contact_zero_id"] ?? throw new ContactZeroFormatException("The file names no Contact Zero id.");
        var imported = root["contact_zero"] as JsonObject ?? throw new ContactZeroFormatException("The file holds no Contact Zero.");
        var references = (root["references"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(r => ((string?)r["entity_type"] ?? "", (string?)r["entity_id"] ?? "", r["data"] as JsonObject ?? []))
            .Where(r => EntityTypes.IsKnown(r.Item1) && r.Item2.Length > 0)
            .ToList();
        var current = identity.ContactZeroId is { } id && reader.EntityJson(EntityTypes.Contact, id) is { } json ? Rows.ParseObject(json) : [];
        var names = current.Select(p => p.Key).Concat(imported.Select(p => p.Key))
            .Where(n => !EntityJson.IsDerived(n) && !EntityJson.IsLocalOnly(n) && n != EntityFields.IsArchived)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var fields = names.Select(n => new ContactZeroField(n, Element(EntityJson.Field(current, n)), Element(EntityJson.Field(imported, n)))).ToList();
        return new ContactZeroImport(oldId, imported, references, fields);
    }

    /// <summary>
    /// Merges an imported Contact Zero into this account's: each field named in <paramref name="choices"/> as
    /// <see cref="ContactZeroChoice.UseImported"/> takes the imported value, the others keep this account's.
    /// The file's entities are created here with the old id rewritten to this account's Contact Zero (one whose
    /// id is already on this device is skipped); they sync as ordinary entities, Contact Zero never does.
    /// </summary>
    public async Task<ContactZeroImportResult> ImportAsync(
        ContactZeroImport import, IReadOnlyDictionary<string, ContactZeroChoice> choices, CancellationToken cancellationToken)
    {
        var id = identity.ContactZeroId ?? throw new InvalidOperationException("No account: sign up or log in first.");
        var taken = import.Fields.Where(f => choices.GetValueOrDefault(f.Name) == ContactZeroChoice.UseImported).Select(f => f.Name).ToList();
        if (taken.Count > 0)
        {
            await writer.WriteAsync(EntityTypes.Contact, id, EditKind.Update, current =>
            {
                var data = (JsonObject)current!.Data.DeepClone();
                foreach (var name in taken)
                {
                    data[name] = EntityJson.Field(import.ContactZero, name)?.DeepClone();
                }

                return data;
            }, cancellationToken);
        }

        int imported = 0, skipped = 0;
        foreach (var (type, entityId, data) in import.References)
        {
            if (reader.EntityJson(type, entityId) is not null)
            {
                skipped++;
                continue;
            }

            var rewritten = Rewrite(data, import.OldId, id);
            await writer.WriteAsync(type, entityId, EditKind.Create, _ => rewritten, cancellationToken);
            imported++;
        }

        return new ContactZeroImportResult(taken, imported, skipped);
    }

    /// <summary>True when a user field of <paramref name="entity"/> holds <paramref name="id"/> (a reference or an id list).</summary>
    private static bool PointsAt(JsonObject entity, string id) =>
        entity.Any(p => !EntityJson.IsDerived(p.Key) && Holds(p.Value, id));

    private static bool Holds(JsonNode? node, string id) => node switch
    {
        JsonValue v => v.TryGetValue<string>(out var s) && s == id,
        JsonArray a => a.Any(x => Holds(x, id)),
        _ => false,
    };

    /// <summary>A copy of the entity's user fields with every reference to <paramref name="from"/> made to <paramref name="to"/>.</summary>
    private static JsonObject Rewrite(JsonObject entity, string from, string to)
    {
        var result = new JsonObject();
        foreach (var (name, value) in entity)
        {
            if (name is EntityFields.UpdatedAt or EntityFields.SyncVersion or EntityFields.IsContactZero)
            {
                continue;
            }

            result[name] = EntityJson.IsDerived(name) ? value?.DeepClone() : Replace(value, from, to);
        }

        return result;
    }

    private static JsonNode? Replace(JsonNode? node, string from, string to) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s == from => JsonValue.Create(to),
        JsonArray a => new JsonArray(a.Select(x => Replace(x, from, to)).ToArray()),
        _ => node?.DeepClone(),
    };

    private static JsonElement? Element(JsonNode? node) => node is null ? null : JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
}
