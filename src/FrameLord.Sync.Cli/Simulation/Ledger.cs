using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// What the simulation knows independently of the engine it checks: every local write the app made
/// (and was acknowledged), and every write the server applied, seen at the server's door.
/// </summary>
internal sealed class Ledger
{
    /// <summary>A field value the app wrote on a device; <see cref="Order"/> orders all local writes.</summary>
    public sealed record LocalWrite(int Device, string EntityType, string EntityId, string Field, string? Value, long Order);

    /// <summary>A write the server applied: a pushed change (first application only) or a conflict resolution.</summary>
    public sealed record AppliedWrite(
        string DeviceId, string ChangeId, string EntityType, string EntityId, IReadOnlyDictionary<string, string?> Fields,
        Stamp Stamp, long BaseVersion, long ResultVersion);

    private readonly Dictionary<(string DeviceId, string ChangeId), string> _outcomes = [];
    private long _order;

    public List<LocalWrite> LocalWrites { get; } = [];

    /// <summary>(entity type, entity id) → local deletes, by order, per device.</summary>
    public List<(int Device, string EntityType, string EntityId, long Order)> LocalDeletes { get; } = [];

    public List<AppliedWrite> Applied { get; } = [];

    /// <summary>Replays whose recorded outcome differed from the first: a change applied twice.</summary>
    public int Duplicates { get; private set; }

    public int Edits { get; set; }

    public void RecordLocal(int device, string type, string id, string field, string? value) =>
        LocalWrites.Add(new LocalWrite(device, type, id, field, value, ++_order));

    public void RecordDelete(int device, string type, string id) => LocalDeletes.Add((device, type, id, ++_order));

    public void RecordPush(PushRequest request, PushResponse response)
    {
        var succeeded = response.Successful.ToDictionary(s => s.ChangeId, StringComparer.Ordinal);
        foreach (var change in request.Changes)
        {
            var key = (request.DeviceId, change.ChangeId);
            var outcome = succeeded.TryGetValue(change.ChangeId, out var ok)
                ? $"ok:{ok.SyncVersion}"
                : "failed:" + response.Failed.FirstOrDefault(f => f.ChangeId == change.ChangeId)?.Error.Code;
            if (_outcomes.TryGetValue(key, out var first))
            {
                if (first != outcome)
                {
                    Duplicates++;
                }

                continue;
            }

            _outcomes[key] = outcome;
            if (ok is null)
            {
                continue;
            }

            Applied.Add(new AppliedWrite(request.DeviceId, change.ChangeId, change.EntityType, change.EntityId, Fields(change),
                new Stamp(change.SyncVersion, change.ClientTimestamp.UtcTicks, request.DeviceId), change.BaseVersion, ok.SyncVersion));
        }
    }

    public void RecordResolution(string deviceId, string conflictId, Conflict conflict, ResolveConflictRequest request, ResolveConflictResponse response)
    {
        var values = request.Choice switch
        {
            ResolutionChoices.KeepLocal => conflict.Local,
            ResolutionChoices.UseRemote => conflict.Remote,
            _ => request.Data!.Value,
        };
        var fields = values.EnumerateObject().ToDictionary(p => p.Name, p => Text(p.Value), StringComparer.Ordinal);
        Applied.Add(new AppliedWrite(deviceId, "resolve:" + conflictId + ":" + response.SyncVersion, conflict.EntityType, conflict.EntityId,
            fields, new Stamp(response.SyncVersion, long.MaxValue, deviceId), response.SyncVersion - 1, response.SyncVersion));
    }

    private static Dictionary<string, string?> Fields(Change change)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (change.Operation == Operations.Delete)
        {
            fields[EntityFields.IsArchived] = "true";
        }
        else if (change.Data is { ValueKind: JsonValueKind.Object } data)
        {
            foreach (var property in data.EnumerateObject())
            {
                fields[property.Name] = Text(property.Value);
            }
        }

        return fields;
    }

    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
