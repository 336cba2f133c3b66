namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// The edits devices make, modelled on the seed's CRM use: mostly edits of different entities, one in ten
/// of a few "hot" entities every device touches, and some of the same field of those. Every random
/// draw is made before looking at local state, so the same seed gives the same edits under either
/// policy; an edit of an entity the device has not received yet is skipped.
/// </summary>
internal sealed class Workload(Random random, Ledger ledger, TraceLog trace)
{
    private const int HotPerKind = 3;
    private readonly Dictionary<string, List<string>> _created = EntityKind.All.ToDictionary(k => k.Type, _ => new List<string>());
    private readonly int _totalWeight = EntityKind.All.Sum(k => k.Weight);
    private int _ops;

    public int Skipped { get; private set; }

    public async Task StepAsync(SimDevice device, double opsPerStep)
    {
        var count = (int)opsPerStep + (random.NextDouble() < opsPerStep - (int)opsPerStep ? 1 : 0);
        for (var i = 0; i < count; i++)
        {
            await OneAsync(device);
        }
    }

    private EntityKind PickKind()
    {
        var roll = random.Next(_totalWeight);
        foreach (var kind in EntityKind.All)
        {
            if ((roll -= kind.Weight) < 0)
            {
                return kind;
            }
        }

        return EntityKind.All[^1];
    }

    private async Task OneAsync(SimDevice device)
    {
        var op = ++_ops;
        var kind = PickKind();
        var roll = random.NextDouble();
        var hot = random.NextDouble() < 0.1;
        var pick = random.Next(1 << 20);
        var fieldRoll = random.Next(1 << 20);
        var sameField = random.NextDouble() < 0.5;
        var created = _created[kind.Type];
        var value = $"d{device.Index}.{op}";
        var client = device.Client;

        if (created.Count == 0 || roll < 0.2)
        {
            var id = $"{kind.Type}_{op}";
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in kind.Fields.Take(1 + (fieldRoll % 2)))
            {
                values[field.Name] = value;
            }

            await kind.CreateAsync(client, id, values);
            created.Add(id);
            foreach (var (name, v) in values)
            {
                ledger.RecordLocal(device.Index, kind.Type, id, name, v);
            }

            ledger.Edits++;
            trace.Write($"op d{device.Index} create {id} {string.Join(',', values.Keys)}");
            return;
        }

        var target = hot ? created[pick % Math.Min(HotPerKind, created.Count)] : created[pick % created.Count];
        var local = await kind.GetAsync(client, target);
        if (local is null)
        {
            Skipped++;
            trace.Write($"op d{device.Index} skip {target} (not here yet)");
            return;
        }

        if (roll < 0.26)
        {
            if (local.IsArchived)
            {
                Skipped++;
                return;
            }

            await kind.DeleteAsync(client, target);
            ledger.RecordDelete(device.Index, kind.Type, target);
            ledger.RecordLocal(device.Index, kind.Type, target, "is_archived", "true");
            ledger.Edits++;
            trace.Write($"op d{device.Index} delete {target}");
            return;
        }

        if (roll < 0.29)
        {
            if (!local.IsArchived)
            {
                Skipped++;
                return;
            }

            await kind.RestoreAsync(client, target);
            ledger.RecordLocal(device.Index, kind.Type, target, "is_archived", "false");
            ledger.Edits++;
            trace.Write($"op d{device.Index} restore {target}");
            return;
        }

        var fieldToEdit = hot && sameField ? kind.Fields[0] : kind.Fields[fieldRoll % kind.Fields.Count];
        await kind.UpdateAsync(client, target, fieldToEdit, value);
        ledger.RecordLocal(device.Index, kind.Type, target, fieldToEdit.Name, value);
        ledger.Edits++;
        trace.Write($"op d{device.Index} update {target}.{fieldToEdit.Name}={value}");
    }
}
