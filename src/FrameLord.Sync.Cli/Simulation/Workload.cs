using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// The edits devices make, modelled on the seed's CRM use: mostly edits of different entities, one in ten
/// of a few "hot" entities every device touches, and some of the same field of those. Every random
/// draw is made before looking at local state, so the same seed gives the same edits under either
/// policy; an edit of an entity the device has not received yet is skipped.
/// </summary>
internal sealed class Workload(Random random, Ledger ledger, TraceLog trace, bool documents)
{
    private const int HotPerKind = 3;
    private readonly Dictionary<string, List<string>> _created = EntityKind.All.ToDictionary(k => k.Type, _ => new List<string>());
    private readonly int _totalWeight = EntityKind.All.Sum(k => k.Weight);
    private int _ops;

    public int Skipped { get; private set; }

    public int DocumentEdits { get; private set; }

    /// <summary>Notes whose body some device edited.</summary>
    public SortedSet<string> EditedNotes { get; } = new(StringComparer.Ordinal);

    public async Task StepAsync(SimDevice device, double opsPerStep)
    {
        var count = (int)opsPerStep + (random.NextDouble() < opsPerStep - (int)opsPerStep ? 1 : 0);
        for (var i = 0; i < count; i++)
        {
            await OneAsync(device);
        }
    }

    /// <summary>
    /// Edits a note's body the way a block editor does: a new paragraph block (a map with a text and a
    /// children array), text typed into a block, a child appended, or a block removed.
    /// </summary>
    private async Task EditDocumentAsync(SimDevice device, int op, string noteId, double action, int position)
    {
        if (await device.Client.Notes.GetAsync(noteId) is null)
        {
            Skipped++;
            trace.Write($"op d{device.Index} skip doc {noteId} (not here yet)");
            return;
        }

        await using var handle = await device.Client.Documents.OpenAsync(noteId);
        var doc = handle.Doc;
        var what = "";
        doc.Transact(_ =>
        {
            var blocks = doc.GetMap("blocks");
            var keys = blocks.Keys.Order(StringComparer.Ordinal).ToList();
            if (keys.Count == 0 || action < 0.3)
            {
                var key = $"b{device.Index}-{op}";
                var block = blocks.Set(key, new YMap());
                block.Set("sys:flavour", "affine:paragraph");
                block.Set("prop:text", new YText()).Insert(0, $"d{device.Index}.{op} ");
                block.Set("sys:children", new YArray());
                what = "add " + key;
                return;
            }

            var target = keys[position % keys.Count];
            if (action < 0.35)
            {
                blocks.Delete(target);
                what = "remove " + target;
            }
            else if (action < 0.45)
            {
                blocks.Get<YMap>(target)!.Get<YArray>("sys:children")!.Push([$"c{device.Index}-{op}"]);
                what = "child " + target;
            }
            else
            {
                var text = blocks.Get<YMap>(target)!.Get<YText>("prop:text")!;
                text.Insert(position % (text.Length + 1), $"<{device.Index}.{op}>");
                what = "type " + target;
            }
        });
        DocumentEdits++;
        EditedNotes.Add(noteId);
        trace.Write($"op d{device.Index} doc {noteId} {what}");
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
        var documentRoll = random.NextDouble();
        var created = _created[kind.Type];
        var notes = _created[EntityTypes.Note];
        if (documents && documentRoll < 0.15 && notes.Count > 0)
        {
            await EditDocumentAsync(device, op, notes[hot ? pick % Math.Min(HotPerKind, notes.Count) : pick % notes.Count], roll, fieldRoll);
            return;
        }

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
