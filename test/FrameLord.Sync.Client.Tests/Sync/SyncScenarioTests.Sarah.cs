using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    /// <summary>
    /// The seed's worked example through the SDK (DESIGN 4): both devices hold the contact at v5; A
    /// (offline) sets "Sarah Chen" at 10:30, B sets "Sarah Williams" at 10:35. Whatever order they push
    /// in, the server ends at "Sarah Williams" v7 with one auto-resolved conflict on name, both devices
    /// show it, and A is told "Contact updated on another device".
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SarahChenAndSarahWilliams_WilliamsWinsEverywhere_AndDeviceAIsNotified(bool aPushesFirst)
    {
        var timeA = new FakeTimeProvider(new DateTimeOffset(2025, 12, 5, 10, 0, 0, TimeSpan.Zero));
        var timeB = new FakeTimeProvider(new DateTimeOffset(2025, 12, 5, 10, 0, 0, TimeSpan.Zero));
        var a = await OpenDeviceAsync("a", time: timeA);
        await a.SignupAsync(Email, Password, "Me");
        var b = await OpenDeviceAsync("b", time: timeB);
        await b.LoginAsync(Email, Password);

        var sarah = await a.Contacts.CreateAsync(new Contact { Id = "cnt_123", Name = "Sarah", Email = "sarah@example.com" });
        await a.SyncNowAsync();
        for (var i = 2; i <= 5; i++)
        {
            await a.Contacts.UpdateAsync(sarah.Id, c => c.Title = $"title {i}");
            await a.SyncNowAsync();
        }

        await b.SyncNowAsync();
        Assert.Equal(5, (await a.Contacts.GetAsync(sarah.Id))!.SyncVersion);
        Assert.Equal(5, (await b.Contacts.GetAsync(sarah.Id))!.SyncVersion);

        var notifications = new List<RemoteChangeEventArgs>();
        a.EntityChangedRemotely += (_, e) => notifications.Add(e);
        var conflicts = new List<SyncConflict>();
        a.ConflictDetected += (_, e) => conflicts.Add(e.Conflict);
        b.ConflictDetected += (_, e) => conflicts.Add(e.Conflict);

        timeA.SetUtcNow(new DateTimeOffset(2025, 12, 5, 10, 30, 0, TimeSpan.Zero));
        await a.Contacts.UpdateAsync(sarah.Id, c => c.Name = "Sarah Chen");
        timeB.SetUtcNow(new DateTimeOffset(2025, 12, 5, 10, 35, 0, TimeSpan.Zero));
        await b.Contacts.UpdateAsync(sarah.Id, c => c.Name = "Sarah Williams");
        Assert.Equal(6, (await a.Contacts.GetAsync(sarah.Id))!.SyncVersion);
        Assert.Equal(6, (await b.Contacts.GetAsync(sarah.Id))!.SyncVersion);

        if (aPushesFirst)
        {
            await a.SyncNowAsync();
            Assert.Equal("Sarah Chen", (await a.Contacts.GetAsync(sarah.Id))!.Name);
            // B pulls Chen before pushing Williams: its own pending edit has the greater stamp and stays shown.
            await b.SyncNowAsync();
            await a.SyncNowAsync();
        }
        else
        {
            await b.SyncNowAsync();
            // A pulls Williams before pushing its older Chen edit (base 5): the remote stamp wins, Williams is shown
            // at once, and Chen is still pushed as a concurrent edit for the server to order.
            await a.SyncNowAsync();
            Assert.Equal(6, (await b.Contacts.GetAsync(sarah.Id))!.SyncVersion);
            await b.SyncNowAsync();
        }

        foreach (var device in new[] { a, b })
        {
            var contact = (await device.Contacts.GetAsync(sarah.Id))!;
            Assert.Equal("Sarah Williams", contact.Name);
            Assert.Equal(7, contact.SyncVersion);
            Assert.Equal("title 5", contact.Title);
            Assert.Equal(0, device.State.PendingChanges);
        }

        var notification = Assert.Single(notifications, n => n.EntityId == sarah.Id);
        Assert.Equal("Contact updated on another device", notification.Message);
        Assert.Equal(b.DeviceId, notification.ModifiedByDevice);
        Assert.Contains("name", notification.Fields);

        var conflict = Assert.Single(conflicts);
        Assert.Equal(["name"], conflict.Fields);
        Assert.False(conflict.NeedsReview);
        Assert.Equal(ConflictStatuses.AutoResolved, conflict.Status);
        Assert.Equal(aPushesFirst ? ConflictResolutions.LocalWon : ConflictResolutions.RemoteWon, conflict.Resolution);
        Assert.Equal(aPushesFirst ? "\"Sarah Williams\"" : "\"Sarah Chen\"", conflict.Local.GetProperty("name").GetRawText());
        Assert.Equal(aPushesFirst ? "\"Sarah Chen\"" : "\"Sarah Williams\"", conflict.Remote.GetProperty("name").GetRawText());
        // The losing value is kept and can be restored; the device that met the conflict stores it.
        var pusher = aPushesFirst ? b : a;
        Assert.Single(await pusher.GetConflictsAsync(includeClosed: true));
        Assert.Equal(SyncStatus.Synced, pusher.State.Status);

        var server = await ServerSnapshotAsync();
        Assert.Equal(server, Snapshot(a));
        Assert.Equal(server, Snapshot(b));
    }
}
