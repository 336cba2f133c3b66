using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    /// <summary>Device a pushes soon after each write; device b polls once an hour, so only a live event brings a's writes over in time.</summary>
    private async Task<(SyncClient A, SyncClient B)> LivePairAsync()
    {
        var a = await OpenDeviceAsync("a", debounce: TimeSpan.FromMilliseconds(50));
        await a.SignupAsync(Email, Password, "Me");
        var b = await OpenDeviceAsync("b", pullInterval: TimeSpan.FromHours(1));
        await b.LoginAsync(Email, Password);
        return (a, b);
    }

    [Fact]
    public async Task ALiveChangeEvent_MakesTheOtherDevicePull_WithoutWaitingForThePollInterval()
    {
        var (a, b) = await LivePairAsync();
        var notified = new List<RemoteChangeEventArgs>();
        b.EntityChangedRemotely += (_, e) => { lock (notified) { notified.Add(e); } };
        a.Start();
        b.Start();
        await Wait.UntilAsync(() => a.State.Status == SyncStatus.Synced && b.State.Status == SyncStatus.Synced && b.LoopWaitingUntil is not null,
            "both loops idle after their start-up sync");
        // B's next poll is an hour away: only the server's event can bring A's write over in time.
        Assert.True(b.LoopWaitingUntil > DateTimeOffset.UtcNow.AddMinutes(30));

        await a.Contacts.CreateAsync(new Contact { Id = "cnt_live", Name = "Live" });
        await Wait.UntilAsync(() => { lock (notified) { return notified.Any(n => n.EntityId == "cnt_live"); } }, "B pulled A's write");
        Assert.Equal("Live", (await b.Contacts.GetAsync("cnt_live"))!.Name);
        await a.StopAsync();
        await b.StopAsync();
    }
}
