using System.Globalization;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Server.Engine;

/// <summary>Per-change checks (DESIGN 3.2): a failure here fails that change only.</summary>
internal static class ChangeValidator
{
    /// <summary>Longest field name, in UTF-16 units.</summary>
    public const int MaxFieldNameLength = 128;

    /// <summary>
    /// The largest version (2^53 − 1, JavaScript's largest exact integer: browser clients read versions as
    /// doubles). Pushed versions above it fail the change, and no entity's version is ever moved past it.
    /// </summary>
    public const long MaxVersion = (1L << 53) - 1;

    /// <summary>The change that would move an entity past <see cref="MaxVersion"/> fails with this.</summary>
    public static ErrorBody VersionExhausted() =>
        Fail(ErrorCodes.ValidationFailed, $"The entity's version cannot move past {MaxVersion}.");

    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id, int maxLength) =>
        !string.IsNullOrEmpty(id) && id.Length <= maxLength && TextRules.IsPlainText(id);

    public static ErrorBody Fail(string code, string message) => new() { Code = code, Message = message };

    public static ErrorBody ContactZero() =>
        Fail(ErrorCodes.ContactZeroNotSyncable, "Contact Zero stays on the device and is never synced.");

    public static bool IsContactZero(string entityType, string entityId, string contactZeroId) =>
        entityType == EntityTypes.Contact && entityId == contactZeroId;

    /// <summary>Checks everything that needs no stored state (Contact Zero's id is checked under the write lock).</summary>
    public static (ValidatedChange? Change, ErrorBody? Error) Validate(Change change, string deviceId, LimitOptions limits)
    {
        if (!IsValidId(change.ChangeId, limits.MaxIdLength))
        {
            return (null, Fail(ErrorCodes.ValidationFailed, $"change_id must be 1 to {limits.MaxIdLength} characters without control characters."));
        }

        if (!EntityTypes.IsKnown(change.EntityType))
        {
            return (null, Fail(ErrorCodes.UnknownEntityType, $"Unknown entity type '{Truncate(change.EntityType)}'."));
        }

        if (!IsValidId(change.EntityId, limits.MaxIdLength))
        {
            return (null, Fail(ErrorCodes.ValidationFailed, $"entity_id must be 1 to {limits.MaxIdLength} characters without control characters."));
        }

        if (change.BaseVersion is < 0 or > MaxVersion || change.SyncVersion is < 0 or > MaxVersion)
        {
            return (null, Fail(ErrorCodes.ValidationFailed, $"sync_version and base_version must be integers from 0 to {MaxVersion}."));
        }

        if (change.SyncVersion <= change.BaseVersion)
        {
            return (null, Fail(ErrorCodes.ValidationFailed, "sync_version must be greater than base_version."));
        }

        var fields = new List<KeyValuePair<string, JsonElement>>();
        var createdAt = change.ClientTimestamp;
        switch (change.Operation)
        {
            case Operations.Delete:
                fields.Add(new(EntityFields.IsArchived, JsonValues.True));
                break;
            case Operations.Create or Operations.Update:
                if (change.Data is not { ValueKind: JsonValueKind.Object } data)
                {
                    return (null, Fail(ErrorCodes.ValidationFailed, $"data must be an object for {change.Operation}."));
                }

                if (!JsonValues.IsWellFormed(data))
                {
                    return (null, Fail(ErrorCodes.ValidationFailed, "data holds text that is not valid UTF-16 (a lone surrogate)."));
                }

                foreach (var property in data.EnumerateObject())
                {
                    var error = CheckField(change.EntityType, change.EntityId, property, ref createdAt);
                    if (error is not null)
                    {
                        return (null, error);
                    }

                    if (!EntityState.IsDerived(property.Name))
                    {
                        fields.Add(new(property.Name, property.Value));
                    }
                }

                break;
            default:
                return (null, Fail(ErrorCodes.ValidationFailed, "operation must be create, update or delete."));
        }

        var stamp = new Stamp(change.SyncVersion, change.ClientTimestamp.UtcTicks, deviceId);
        return (new ValidatedChange(change.ChangeId, change.EntityType, change.EntityId, fields, stamp,
            change.BaseVersion, change.SyncVersion, createdAt), null);
    }

    /// <summary>Checks a field a client writes (a change's or a merged resolution's).</summary>
    public static ErrorBody? CheckField(string entityType, string entityId, JsonProperty property, ref DateTimeOffset createdAt)
    {
        var name = property.Name;
        var value = property.Value;
        if (name.Length is 0 or > MaxFieldNameLength)
        {
            return Fail(ErrorCodes.ValidationFailed, $"Field names must be 1 to {MaxFieldNameLength} characters.");
        }

        switch (name)
        {
            case EntityFields.Id when value.ValueKind != JsonValueKind.String || value.GetString() != entityId:
                return Fail(ErrorCodes.ValidationFailed, "data.id, when given, must equal entity_id.");
            case EntityFields.IsArchived when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                return Fail(ErrorCodes.ValidationFailed, "is_archived must be true or false.");
            case EntityFields.IsContactZero when value.ValueKind == JsonValueKind.True && entityType == EntityTypes.Contact:
                return ContactZero();
            case EntityFields.CreatedAt when value.ValueKind != JsonValueKind.Null:
                if (value.ValueKind != JsonValueKind.String
                    || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
                {
                    return Fail(ErrorCodes.ValidationFailed, "created_at must be an ISO 8601 timestamp.");
                }

                if (parsed < createdAt)
                {
                    createdAt = parsed;
                }

                return null;
            default:
                return null;
        }
    }

    private static string Truncate(string? value) =>
        value is null ? "" : value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
