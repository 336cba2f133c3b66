using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task ACursorOlderThanThePurgedTombstones_GetsAFullResync_KeepingTheOutbox()
    {
        var (a, b) = await DevicesAsync("a", "b") switch { var d => (d[0], d[1]) };
        foreach (var id in new[] { "cnt_keep", "cnt_gone1", "cnt_gone2" })
        {
            await a.Contacts.CreateAsync(new Contact { Id = id, Name = id });
        }

        await a.SyncNowAsync();
        await b.SyncNowAsync();
        Assert.Equal(3 + 1, await b.Contacts.CountAsync());

        // B goes offline with an edit; meanwhile A deletes two contacts and the server purges their tombstones.
        await b.Contacts.UpdateAsync("cnt_keep", c => c.Phone = "from B, offline");
        await a.Contacts.DeleteAsync("cnt_gone1");
        await a.Contacts.DeleteAsync("cnt_gone2");
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_new", Name = "new" });
        await a.SyncNowAsync();
        var purged = await Server.Services.GetRequiredService<ISyncStore>()
            .PurgeAsync(DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None);
        Assert.Equal(2, purged.TombstonesDeleted);

        var removed = new List<RemoteChangeEventArgs>();
        b.EntityChangedRemotely += (_, e) => { if (e.IsArchived) { removed.Add(e); } };
        var result = await b.SyncNowAsync();
        Assert.Equal(1, result.Pushed);
        Assert.Equal(["cnt_gone1", "cnt_gone2"], removed.Select(e => e.EntityId).Order());
        Assert.Null(await b.Contacts.GetAsync("cnt_gone1"));
        Assert.Equal("new", (await b.Contacts.GetAsync("cnt_new"))!.Name);
        Assert.Equal("from B, offline", (await b.Contacts.GetAsync("cnt_keep"))!.Phone);
        Assert.Equal(0, b.State.PendingChanges);
        await a.SyncNowAsync();
        Assert.Equal("from B, offline", (await a.Contacts.GetAsync("cnt_keep"))!.Phone);
        Assert.Equal(await ServerSnapshotAsync(), Snapshot(b));
    }
}
