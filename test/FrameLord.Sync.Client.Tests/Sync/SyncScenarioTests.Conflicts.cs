using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    /// <summary>Both devices change the contact's email (a critical field) within a minute: the second pusher gets an open conflict.</summary>
    private async Task<(SyncClient A, SyncClient B, SyncConflict Conflict)> CriticalConflictAsync(string id)
    {
        var (a, b) = await DevicesAsync("a", "b") switch { var d => (d[0], d[1]) };
        await a.Contacts.CreateAsync(new Contact { Id = id, Name = "Sam", Email = "sam@old.example" });
        await a.SyncNowAsync();
        await b.SyncNowAsync();
        await b.Contacts.UpdateAsync(id, c => c.Email = "sam@b.example");
        await a.Contacts.UpdateAsync(id, c => c.Email = "sam@a.example");
        await b.SyncNowAsync();
        var raised = new List<SyncConflict>();
        a.ConflictDetected += (_, e) => raised.Add(e.Conflict);
        await a.SyncNowAsync();
        var conflict = Assert.Single(raised);
        Assert.True(conflict.NeedsReview);
        Assert.Equal(ConflictStatuses.Open, conflict.Status);
        Assert.Equal(SyncStatus.Conflict, a.State.Status);
        Assert.Equal(1, a.State.Conflicts);
        Assert.Equal(conflict.ConflictId, Assert.Single(await a.GetConflictsAsync()).ConflictId);
        return (a, b, conflict);
    }

    [Fact]
    public async Task ConflictApi_KeepLocal_WritesThisDevicesValue_Everywhere()
    {
        var (a, b, conflict) = await CriticalConflictAsync("cnt_keep");
        Assert.Equal("\"sam@a.example\"", conflict.Local.GetProperty("email").GetRawText());
        await a.KeepLocalAsync(conflict.ConflictId);
        Assert.Equal("sam@a.example", (await a.Contacts.GetAsync("cnt_keep"))!.Email);
        Assert.Empty(await a.GetConflictsAsync());
        Assert.Equal(ConflictStatuses.Resolved, Assert.Single(await a.GetConflictsAsync(includeClosed: true)).Status);
        Assert.Equal(SyncStatus.Synced, a.State.Status);
        await b.SyncNowAsync();
        Assert.Equal("sam@a.example", (await b.Contacts.GetAsync("cnt_keep"))!.Email);
        Assert.Equal(await ServerSnapshotAsync(), Snapshot(b));
    }

    [Fact]
    public async Task ConflictApi_UseRemote_AndMerge_AndOtherDevicesSeeTheConflicts()
    {
        var (a, b, conflict) = await CriticalConflictAsync("cnt_both");
        Assert.Equal(1, await b.RefreshConflictsAsync());
        Assert.Equal(SyncStatus.Conflict, b.State.Status);

        await a.UseRemoteAsync(conflict.ConflictId);
        Assert.Equal("sam@b.example", (await a.Contacts.GetAsync("cnt_both"))!.Email);
        Assert.Equal(0, await b.RefreshConflictsAsync());

        await a.MergeAsync(conflict.ConflictId, Json("""{"email":"sam@merged.example","name":"Samuel"}"""));
        var merged = (await a.Contacts.GetAsync("cnt_both"))!;
        Assert.Equal(("sam@merged.example", "Samuel"), (merged.Email, merged.Name));
        await b.SyncNowAsync();
        Assert.Equal(await ServerSnapshotAsync(), Snapshot(a));
        Assert.Equal(Snapshot(a), Snapshot(b));
        Assert.Equal(SyncStatus.Synced, b.State.Status);
    }
}
