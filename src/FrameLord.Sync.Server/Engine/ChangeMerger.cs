using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// Applies one validated change to an entity (DESIGN 4). Field policy: every field is an LWW
/// register ordered by <see cref="Stamp"/>, so the result does not depend on arrival order. Entity
/// policy: the change wins or loses as a whole against the entity's greatest stamp.
/// </summary>
internal sealed class ChangeMerger(SyncOptions options)
{
    public MergeResult Apply(EntityState current, ValidatedChange change, ConflictPolicy policy)
    {
        var stamp = change.Stamp;
        var next = current.Clone();
        // Checked: a stored version is at most MaxVersion (callers refuse changes to an entity already
        // there), so the sum cannot wrap; if it ever could, an exception beats a version that goes back to 1.
        var newVersion = current.Exists ? Math.Max(checked(current.Version + 1), change.SyncVersion) : Math.Max(1, change.SyncVersion);
        var entityWins = current.EntityStamp is null || stamp > current.EntityStamp.Stamp;
        List<ContestedField>? contested = null;

        foreach (var (name, value) in change.Fields)
        {
            var hasValue = current.Fields.TryGetValue(name, out var stored);
            var hasStamp = current.Stamps.TryGetValue(name, out var storedStamp);
            bool wins;
            if (policy == ConflictPolicy.Entity)
            {
                wins = entityWins;
            }
            else if (!hasStamp)
            {
                wins = true;
            }
            else
            {
                var order = stamp.CompareTo(storedStamp!.Stamp);
                wins = order > 0 || (order == 0 && hasValue && JsonValues.CompareCanonical(value, stored) > 0);
            }

            var differs = !hasValue || !JsonValues.Same(stored, value);
            // Contested: the stored value was written after the version this change started from,
            // by another device (a device has always seen its own writes), and the values differ.
            if (hasStamp && hasValue && differs && storedStamp!.AtVersion > change.BaseVersion && storedStamp.DeviceId != stamp.DeviceId)
            {
                (contested ??= []).Add(new ContestedField(name, value, stored, wins, storedStamp));
            }

            if (wins)
            {
                next.Fields[name] = value;
                next.Stamps[name] = FieldStamp.From(stamp, newVersion);
            }
        }

        // Every accepted change is a write (DESIGN 4.1), even one whose every field lost: the
        // version moves past the pushed one and the entity goes out again on pull, so the device
        // that lost learns the winner.
        next.Exists = true;
        next.Version = newVersion;
        next.ModifiedBy = stamp.DeviceId;
        if (next.EntityStamp is null || stamp > next.EntityStamp.Stamp)
        {
            next.EntityStamp = FieldStamp.From(stamp, newVersion);
        }

        next.CreatedAt = current.Exists && current.CreatedAt <= change.CreatedAtHint ? current.CreatedAt : change.CreatedAtHint;
        var latest = 0L;
        foreach (var s in next.Stamps.Values)
        {
            latest = Math.Max(latest, s.TimestampTicks);
        }

        next.UpdatedAt = new DateTimeOffset(latest, TimeSpan.Zero);

        var contestedList = (IReadOnlyList<ContestedField>?)contested ?? [];
        return new MergeResult(next, contestedList, NeedsReview(change, contestedList));
    }

    private bool NeedsReview(ValidatedChange change, IReadOnlyList<ContestedField> contested)
    {
        if (contested.Count == 0 || !options.EffectiveCriticalFields.TryGetValue(change.EntityType, out var critical))
        {
            return false;
        }

        foreach (var field in contested)
        {
            if (Array.IndexOf(critical, field.Name) >= 0
                && Math.Abs(change.Stamp.TimestampTicks - field.RemoteTicks) <= options.ReviewWindow.Ticks)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Builds the JSON object of the given field values.</summary>
    public static JsonElement ToObject(IEnumerable<KeyValuePair<string, JsonElement>> fields)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.WrittenMemory).RootElement;
    }
}
