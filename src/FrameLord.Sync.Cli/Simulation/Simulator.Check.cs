using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Cli.Simulation;

public sealed partial class Simulator
{
    private const int MaxViolationsListed = 20;

    /// <summary>Checks the invariants against the server's final state and the ledger, and builds the report.</summary>
    private async Task<SimulationReport> CheckAsync()
    {
        var violations = new List<string>();
        var userId = _account.UserId;
        var server = await ServerState.PullAllAsync(_server.Sync, userId);
        var conflicts = await ServerConflicts.AllAsync(_server.Sync, userId, CancellationToken.None);

        // Every device holds exactly the server's entities, field for field.
        var converged = true;
        foreach (var device in _devices)
        {
            foreach (var kind in EntityKind.All)
            {
                var local = (await kind.ListAsync(device.Client)).Where(e => e.Id != _account.ContactZeroId)
                    .ToDictionary(e => e.Id, e => Project(kind, e), StringComparer.Ordinal);
                var remote = server.Where(s => s.EntityType == kind.Type)
                    .ToDictionary(s => s.EntityId, s => Project(kind, s.Data), StringComparer.Ordinal);
                foreach (var id in local.Keys.Union(remote.Keys))
                {
                    var mine = local.GetValueOrDefault(id);
                    var theirs = remote.GetValueOrDefault(id);
                    // Created and deleted on one device before it ever synced: the outbox entries cancelled
                    // out (DESIGN 2), so the entity exists only as that device's local tombstone.
                    var neverSynced = theirs is null && mine is not null && mine.EndsWith("|archived", StringComparison.Ordinal)
                        && !_ledger.Applied.Any(a => a.EntityType == kind.Type && a.EntityId == id);
                    if (mine != theirs && !neverSynced)
                    {
                        converged = false;
                        Violate(violations, $"d{device.Index} {kind.Type}/{id}: device {mine ?? "(missing)"} server {theirs ?? "(missing)"}");
                    }
                }
            }
        }

        // Contact Zero: on every device, never on the server.
        var contactZeroLocal = server.All(s => s.EntityId != _account.ContactZeroId);
        foreach (var device in _devices)
        {
            var zero = await device.Client.Contacts.GetAsync(_account.ContactZeroId);
            contactZeroLocal &= zero is { IsContactZero: true };
        }

        if (!contactZeroLocal)
        {
            Violate(violations, "Contact Zero reached the server or is missing on a device");
        }

        // Every conflict keeps both sides, so the loser can be restored.
        var losersKept = conflicts.Count(c => c.Fields.All(f => c.Local.TryGetProperty(f, out _) && c.Remote.TryGetProperty(f, out _)));
        if (losersKept != conflicts.Count)
        {
            Violate(violations, $"{conflicts.Count - losersKept} conflicts lost a side");
        }

        var documentsConverged = await CheckDocumentsAsync(violations);
        var (lost, overwritten) = CheckWrites(server, conflicts, violations);
        if (lost > 0)
        {
            Violate(violations, $"{lost} acknowledged writes never reached the server");
        }

        if (overwritten > 0 && _options.Policy == ConflictPolicy.Field)
        {
            Violate(violations, $"{overwritten} writes were overwritten without a conflict keeping them");
        }

        if (_ledger.Duplicates > 0)
        {
            Violate(violations, $"{_ledger.Duplicates} replayed changes got a different outcome");
        }

        var byField = conflicts.SelectMany(c => c.Fields.Select(f => $"{c.EntityType}.{f}"))
            .GroupBy(f => f, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        _trace.Write($"end conflicts={conflicts.Count} lost={lost} overwritten={overwritten} converged={converged}");

        return new SimulationReport
        {
            Seed = _options.Seed,
            Devices = _options.Devices,
            Days = _options.Days,
            Policy = _options.Policy.ToString().ToLowerInvariant(),
            Faults = _options.Faults.ToString().ToLowerInvariant(),
            Edits = _ledger.Edits,
            Conflicts = conflicts.Count,
            NeedsReview = conflicts.Count(c => c.NeedsReview),
            ConflictRatePer1000 = _ledger.Edits == 0 ? 0 : Math.Round(conflicts.Count * 1000.0 / _ledger.Edits, 2),
            ConflictsByField = byField,
            LostWrites = lost,
            Overwritten = overwritten,
            Duplicates = _ledger.Duplicates,
            Converged = converged,
            LosersKept = losersKept,
            ContactZeroLocal = contactZeroLocal,
            TraceHash = _trace.Hash(),
            EntityPolicyOverwritten = _options.Policy == ConflictPolicy.Entity ? overwritten : null,
            Resolutions = _resolutionCount,
            DocumentEdits = _workload.DocumentEdits,
            DocumentsConverged = documentsConverged,
            FaultCounts = new SimulationFaultCounts(_network.Dropped, _network.Duplicated, _network.Reordered,
                _devices.Sum(d => d.Restarts), _server.Restarts, _offlinePeriods),
            Violations = violations,
        };
    }

    private static void Violate(List<string> violations, string message)
    {
        if (violations.Count < MaxViolationsListed)
        {
            violations.Add(message);
        }
    }

    private static string Project(EntityKind kind, FrameLord.Sync.Client.Models.SyncEntity entity) =>
        string.Join('|', kind.Fields.Select(f => f.Get(entity) ?? "∅").Append(entity.IsArchived ? "archived" : "live"));

    private static string Project(EntityKind kind, JsonElement data) =>
        string.Join('|', kind.Fields.Select(f => data.TryGetProperty(f.Name, out var v) ? Ledger.Text(v) ?? "∅" : "∅")
            .Append(data.TryGetProperty(EntityFields.IsArchived, out var a) && a.ValueKind == JsonValueKind.True ? "archived" : "live"));

    /// <summary>
    /// Follows every device's last write of each field: it must have reached the server, and then be the
    /// final value, or be kept by a conflict record, or have been overwritten by a write that had seen it.
    /// </summary>
    private (int Lost, int Overwritten) CheckWrites(List<PulledChange> server, IReadOnlyList<Conflict> conflicts, List<string> violations)
    {
        var final = server.ToDictionary(s => (s.EntityType, s.EntityId), s => s.Data);
        var lastWrites = _ledger.LocalWrites
            .GroupBy(w => (w.Device, w.EntityType, w.EntityId, w.Field))
            .Select(g => g.MaxBy(w => w.Order)!);
        var lost = 0;
        var overwritten = 0;
        foreach (var write in lastWrites)
        {
            var deviceId = $"dev_{write.Device}";
            var carrier = _ledger.Applied.LastOrDefault(a => a.DeviceId == deviceId && a.EntityType == write.EntityType
                && a.EntityId == write.EntityId && a.Fields.TryGetValue(write.Field, out var v) && v == write.Value);
            var exists = final.TryGetValue((write.EntityType, write.EntityId), out var data);
            if (carrier is null)
            {
                var deletedLater = _ledger.LocalDeletes.Any(d => d.Device == write.Device && d.EntityType == write.EntityType
                    && d.EntityId == write.EntityId && d.Order > write.Order);
                var deleteNeverNeeded = write.Field == EntityFields.IsArchived && write.Value == "true" && !exists;
                if (!deletedLater && !deleteNeverNeeded)
                {
                    lost++;
                    Violate(violations, $"lost: d{write.Device} {write.EntityType}/{write.EntityId}.{write.Field}={write.Value} never reached the server");
                }

                continue;
            }

            var current = exists && data.TryGetProperty(write.Field, out var value) ? Ledger.Text(value) : null;
            if (current == write.Value)
            {
                continue;
            }

            var kept = conflicts.Any(c => c.EntityType == write.EntityType && c.EntityId == write.EntityId && c.Fields.Contains(write.Field)
                && ((c.Local.TryGetProperty(write.Field, out var l) && Ledger.Text(l) == write.Value)
                    || (c.Remote.TryGetProperty(write.Field, out var r) && Ledger.Text(r) == write.Value)));
            if (kept)
            {
                continue;
            }

            var seenAndOverwritten = _ledger.Applied.Any(a => a.EntityType == write.EntityType && a.EntityId == write.EntityId
                && a.Fields.ContainsKey(write.Field) && a.Stamp > carrier.Stamp && a.BaseVersion >= carrier.ResultVersion);
            if (!seenAndOverwritten)
            {
                overwritten++;
                if (_options.Policy == ConflictPolicy.Field)
                {
                    Violate(violations, $"overwritten: d{write.Device} {write.EntityType}/{write.EntityId}.{write.Field}={write.Value}, now {current ?? "∅"}");
                }
            }
        }

        return (lost, overwritten);
    }
}
