using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    /// <summary>Creates one entity of every type with the given id suffix; returns (type, id) pairs.</summary>
    protected static async Task<List<(string Type, string Id)>> CreateOneOfEachAsync(SyncClient c, string suffix)
    {
        await c.Contacts.CreateAsync(new Contact { Id = "cnt_" + suffix, Name = "Contact " + suffix, Phone = "0", Tags = ["t"] });
        await c.Notes.CreateAsync(new Note { Id = "note_" + suffix, Title = "Note " + suffix, Tags = [] });
        await c.Tasks.CreateAsync(new TaskItem { Id = "task_" + suffix, Title = "Task " + suffix, Status = "open" });
        await c.Interactions.CreateAsync(new Interaction { Id = "int_" + suffix, Kind = "call", Summary = "s" });
        await c.Folders.CreateAsync(new Folder { Id = "fld_" + suffix, Name = "Folder " + suffix });
        await c.Groups.CreateAsync(new Group { Id = "grp_" + suffix, Name = "Group " + suffix, ContactIds = [] });
        await c.Projects.CreateAsync(new Project { Id = "prj_" + suffix, Name = "Project " + suffix, Description = "d" });
        await c.Pipelines.CreateAsync(new Pipeline { Id = "pip_" + suffix, Name = "Pipeline " + suffix, Stages = ["a"] });
        return EntityTypes.All.Select(t => (t, Prefix(t) + suffix)).ToList();
    }

    private static string Prefix(string type) => type switch
    {
        EntityTypes.Contact => "cnt_",
        EntityTypes.Note => "note_",
        EntityTypes.Task => "task_",
        EntityTypes.Interaction => "int_",
        EntityTypes.Folder => "fld_",
        EntityTypes.Group => "grp_",
        EntityTypes.Project => "prj_",
        _ => "pip_",
    };

    /// <summary>Edits the entity's first (<paramref name="second"/> false) or second field to <paramref name="value"/>; returns the field's wire name.</summary>
    protected static async Task<string> EditAsync(SyncClient c, string type, string id, bool second, string value)
    {
        switch (type)
        {
            case EntityTypes.Contact:
                await c.Contacts.UpdateAsync(id, e => { if (second) { e.Phone = value; } else { e.Name = value; } });
                return second ? "phone" : "name";
            case EntityTypes.Note:
                await c.Notes.UpdateAsync(id, e => { if (second) { e.Tags = [value]; } else { e.Title = value; } });
                return second ? "tags" : "title";
            case EntityTypes.Task:
                await c.Tasks.UpdateAsync(id, e => { if (second) { e.Status = value; } else { e.Title = value; } });
                return second ? "status" : "title";
            case EntityTypes.Interaction:
                await c.Interactions.UpdateAsync(id, e => { if (second) { e.Kind = value; } else { e.Summary = value; } });
                return second ? "kind" : "summary";
            case EntityTypes.Folder:
                await c.Folders.UpdateAsync(id, e => { if (second) { e.ParentId = value; } else { e.Name = value; } });
                return second ? "parent_id" : "name";
            case EntityTypes.Group:
                await c.Groups.UpdateAsync(id, e => { if (second) { e.ContactIds = [value]; } else { e.Name = value; } });
                return second ? "contact_ids" : "name";
            case EntityTypes.Project:
                await c.Projects.UpdateAsync(id, e => { if (second) { e.Description = value; } else { e.Name = value; } });
                return second ? "description" : "name";
            default:
                await c.Pipelines.UpdateAsync(id, e => { if (second) { e.Stages = [value]; } else { e.Name = value; } });
                return second ? "stages" : "name";
        }
    }

    protected static Task DeleteAsync(SyncClient c, string type, string id) => type switch
    {
        EntityTypes.Contact => c.Contacts.DeleteAsync(id),
        EntityTypes.Note => c.Notes.DeleteAsync(id),
        EntityTypes.Task => c.Tasks.DeleteAsync(id),
        EntityTypes.Interaction => c.Interactions.DeleteAsync(id),
        EntityTypes.Folder => c.Folders.DeleteAsync(id),
        EntityTypes.Group => c.Groups.DeleteAsync(id),
        EntityTypes.Project => c.Projects.DeleteAsync(id),
        _ => c.Pipelines.DeleteAsync(id),
    };

    [Fact]
    public async Task TwoDevices_ConvergeAfterOfflineEdits_OnEveryEntityType()
    {
        var (a, b) = await DevicesAsync("a", "b") switch { var d => (d[0], d[1]) };
        var shared = await CreateOneOfEachAsync(a, "shared");
        var doomed = await CreateOneOfEachAsync(a, "doomed");
        await a.SyncNowAsync();
        await b.SyncNowAsync();
        Assert.Equal(Snapshot(a), Snapshot(b));

        // Offline: each device edits a different field of every shared entity; A deletes the doomed ones
        // while B edits them; both create new entities.
        var fields = new Dictionary<string, (string First, string Second)>();
        foreach (var (type, id) in shared)
        {
            var first = await EditAsync(a, type, id, second: false, "from A");
            var second = await EditAsync(b, type, id, second: true, "from B");
            fields[id] = (first, second);
        }

        foreach (var (type, id) in doomed)
        {
            await DeleteAsync(a, type, id);
            await EditAsync(b, type, id, second: false, "edited while deleted");
        }

        await CreateOneOfEachAsync(a, "newa");
        await CreateOneOfEachAsync(b, "newb");

        await a.SyncNowAsync();
        await b.SyncNowAsync();
        await a.SyncNowAsync();

        var server = await ServerSnapshotAsync();
        Assert.Equal(server, Snapshot(a));
        Assert.Equal(server, Snapshot(b));
        Assert.Equal(8 * 4, server.Count);
        foreach (var (type, id) in shared)
        {
            Assert.Equal("\"from A\"", Field(b, type, id, fields[id].First).Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal));
            Assert.Contains("from B", Field(a, type, id, fields[id].Second), StringComparison.Ordinal);
        }

        foreach (var (type, id) in doomed)
        {
            // A delete is is_archived = true under the same rules: a concurrent edit neither un-archives nor is lost.
            Assert.Equal("true", Field(b, type, id, "is_archived"));
            Assert.Equal("\"edited while deleted\"", Field(a, type, id, type is "note" or "task" ? "title" : type == "interaction" ? "summary" : "name"));
        }

        Assert.Equal(SyncStatus.Synced, a.State.Status);
        Assert.Equal(0, b.State.PendingChanges);
    }

    [Fact]
    public async Task ThreeDevices_ConvergeAfterInterleavedOfflineEdits()
    {
        var devices = await DevicesAsync("a", "b", "c");
        var entities = await CreateOneOfEachAsync(devices[0], "x");
        foreach (var d in devices)
        {
            await d.SyncNowAsync();
        }

        var random = new Random(7);
        for (var round = 0; round < 3; round++)
        {
            foreach (var (type, id) in entities)
            {
                var device = devices[random.Next(devices.Length)];
                await EditAsync(device, type, id, second: random.Next(2) == 1, $"r{round} {device.DeviceId[..8]}");
            }

            await CreateOneOfEachAsync(devices[round], $"r{round}");
            await devices[(round + 1) % 3].Contacts.UpdateAsync("cnt_x", c => c.Tags = [$"round {round}"]);
            // Only some devices sync each round; the rest stay offline with their edits.
            await devices[round].SyncNowAsync();
        }

        foreach (var d in devices.Concat(devices))
        {
            await d.SyncNowAsync();
        }

        var server = await ServerSnapshotAsync();
        Assert.Equal(8 * 4, server.Count);
        foreach (var d in devices)
        {
            Assert.Equal(server, Snapshot(d));
            Assert.Equal(0, d.State.PendingChanges);
        }
    }
}
