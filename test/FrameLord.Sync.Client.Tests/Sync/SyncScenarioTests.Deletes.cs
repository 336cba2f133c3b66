using FrameLord.Sync.Client.Models;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task FieldEditsCoalescedWithADelete_ReachTheServer_AndARestoreElsewhereBringsThemBack()
    {
        var (a, b) = await DevicesAsync("a", "b") switch { var d => (d[0], d[1]) };
        await a.Projects.CreateAsync(new Project { Id = "prj_edit_then_delete", Name = "One", Description = "d1" });
        await a.Projects.CreateAsync(new Project { Id = "prj_delete_then_edit", Name = "Two", Description = "d2" });
        await a.SyncNowAsync();
        await b.SyncNowAsync();

        // Offline on A, each pair coalesces into one open entry: edits then a delete, and a delete then edits.
        await a.Projects.UpdateAsync("prj_edit_then_delete", p => (p.Name, p.Description) = ("One edited", "d1 edited"));
        await a.Projects.DeleteAsync("prj_edit_then_delete");
        await a.Projects.DeleteAsync("prj_delete_then_edit");
        await a.Projects.UpdateAsync("prj_delete_then_edit", p => p.Name = "Two edited while archived");
        Assert.Equal(2, a.State.PendingChanges);
        await a.SyncNowAsync();

        // The server keeps the edits on the archived entities.
        var server = await ServerSnapshotAsync();
        Assert.Contains("\"name\":\"One edited\"", server["project/prj_edit_then_delete"], StringComparison.Ordinal);
        Assert.Contains("\"description\":\"d1 edited\"", server["project/prj_edit_then_delete"], StringComparison.Ordinal);
        Assert.Contains("\"is_archived\":true", server["project/prj_edit_then_delete"], StringComparison.Ordinal);
        Assert.Contains("\"name\":\"Two edited while archived\"", server["project/prj_delete_then_edit"], StringComparison.Ordinal);
        Assert.Contains("\"is_archived\":true", server["project/prj_delete_then_edit"], StringComparison.Ordinal);

        await b.SyncNowAsync();
        Assert.Equal(Snapshot(a), Snapshot(b));
        await b.Projects.RestoreAsync("prj_edit_then_delete");
        await b.Projects.RestoreAsync("prj_delete_then_edit");
        await b.SyncNowAsync();
        await a.SyncNowAsync();

        foreach (var device in new[] { a, b })
        {
            var one = (await device.Projects.GetAsync("prj_edit_then_delete"))!;
            Assert.Equal(("One edited", "d1 edited", false), (one.Name, one.Description, one.IsArchived));
            var two = (await device.Projects.GetAsync("prj_delete_then_edit"))!;
            Assert.Equal(("Two edited while archived", "d2", false), (two.Name, two.Description, two.IsArchived));
        }

        Assert.Equal(await ServerSnapshotAsync(), Snapshot(a));
        Assert.Equal(Snapshot(a), Snapshot(b));
    }
}
