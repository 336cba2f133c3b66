using FrameLord.Sync.Client.Models;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task TenThousandChangesMadeOffline_SyncWithProgress_PullFirst_AndFinish()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await OpenDeviceAsync("a", time: time);
        await a.SignupAsync(Email, Password, "Me");
        await a.SyncNowAsync();
        var b = await OpenDeviceAsync("b");
        await b.LoginAsync(Email, Password);

        // Weeks offline on A: 10,000 local changes (creates of three types, and edits and deletes of some).
        for (var i = 0; i < 6000; i++)
        {
            await a.Contacts.CreateAsync(new Contact { Id = $"cnt_{i:D5}", Name = $"Contact {i}" });
        }

        for (var i = 0; i < 3000; i++)
        {
            await a.Tasks.CreateAsync(new TaskItem { Id = $"task_{i:D5}", Title = $"Task {i}" });
        }

        for (var i = 0; i < 1000; i++)
        {
            await a.Notes.CreateAsync(new Note { Id = $"note_{i:D5}", Title = $"Note {i}" });
        }

        Assert.Equal(10_000, a.State.PendingChanges);
        // Meanwhile B keeps working online: A must pull that before pushing its own.
        await b.Contacts.CreateAsync(new Contact { Id = "cnt_from_b", Name = "B" });
        await b.SyncNowAsync();

        var stale = 0;
        a.StaleWarning += (_, _) => stale++;
        time.Advance(TimeSpan.FromDays(21));
        await a.Contacts.UpdateAsync("cnt_00000", c => c.Phone = "1");
        Assert.Equal(1, stale);
        Assert.True(a.State.IsStale);

        var progress = new List<SyncProgressEventArgs>();
        a.ProgressChanged += (_, e) => progress.Add(e);
        var result = await a.SyncNowAsync();
        Assert.Equal(10_000, result.Pushed);
        Assert.False(a.State.IsStale);

        var firstPush = progress.FindIndex(p => p.Phase == SyncPhase.Push);
        Assert.True(firstPush > 0);
        Assert.All(progress.Take(firstPush), p => Assert.Equal(SyncPhase.Pull, p.Phase));
        Assert.Contains(progress.Take(firstPush), p => p.Done == 1 && p.Total == 1); // B's contact came first
        var pushes = progress.Where(p => p.Phase == SyncPhase.Push).ToList();
        Assert.Equal(10_000, pushes[0].Total);
        Assert.Equal(0, pushes[0].Done);
        Assert.Equal(101, pushes.Count); // 0, then one per batch of 100
        Assert.True(pushes.Zip(pushes.Skip(1)).All(p => p.First.Done < p.Second.Done && p.Second.Percent > p.First.Percent));
        Assert.Equal((10_000L, 10_000L, 100.0), (pushes[^1].Done, pushes[^1].Total!.Value, pushes[^1].Percent!.Value));
        Assert.Equal(SyncPhase.Pull, progress[^1].Phase);
        Assert.Equal(0, a.State.PendingChanges);

        await b.SyncNowAsync();
        Assert.Equal(6002, await b.Contacts.CountAsync());
        Assert.Equal(3000, await b.Tasks.CountAsync());
        Assert.Equal(1000, await b.Notes.CountAsync());
        Assert.Equal("1", (await b.Contacts.GetAsync("cnt_00000"))!.Phone);
        Assert.Equal(Snapshot(a), Snapshot(b));
    }

    [Fact]
    public async Task TheServerUnreachableForAWhile_ThenBack_DrainsTheOutbox()
    {
        var a = (await DevicesAsync("a"))[0];
        await a.SyncNowAsync();
        var address = Server.BaseAddress;
        await Server.DisposeAsync();

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var transport = new Support.FaultyTransport(Http(address));
        var device = await OpenDeviceAsync("a2", transport, time);
        device.AccessToken = a.AccessToken;
        await device.UseAccountAsync(new FrameLord.Sync.Protocol.AuthResponse
        {
            UserId = a.UserId!, ContactZeroId = a.ContactZeroId!, AccessToken = a.AccessToken!, ExpiresIn = 3600,
        });
        for (var i = 0; i < 250; i++)
        {
            await device.Contacts.CreateAsync(new Contact { Id = $"cnt_{i:D3}", Name = $"C{i}" });
        }

        var attempts = 0;
        transport.BeforePush = _ => attempts++;
        device.Start();
        await Support.Wait.UntilAsync(() => device.State.Status == SyncStatus.Offline && device.LoopWaitingUntil is not null, "offline at start-up");
        var first = device.LoopWaitingUntil!.Value;
        time.Advance(TimeSpan.FromSeconds(2));
        await Support.Wait.UntilAsync(() => device.LoopWaitingUntil > first, "the retry after 2 s");
        var second = device.LoopWaitingUntil!.Value;
        Assert.Equal(TimeSpan.FromSeconds(4), second - first);
        time.Advance(TimeSpan.FromSeconds(4));
        await Support.Wait.UntilAsync(() => device.LoopWaitingUntil > second, "the retry after 4 s");
        Assert.Equal(TimeSpan.FromSeconds(8), device.LoopWaitingUntil!.Value - second);
        Assert.Equal(SyncStatus.Offline, device.State.Status);
        Assert.Equal(250, device.State.PendingChanges);
        Assert.Equal(0, attempts); // the pull fails first: nothing is pushed while the server is away

        Server = await TestServer.StartAsync(Db, new Dictionary<string, string>(Settings) { ["urls"] = address.ToString().TrimEnd('/') });
        time.Advance(TimeSpan.FromSeconds(8));
        await Support.Wait.UntilAsync(() => device.State is { Status: SyncStatus.Synced, PendingChanges: 0 }, "the outbox drained");
        Assert.Equal(3, attempts);
        Assert.Equal(250, (await ServerSnapshotAsync()).Count);
    }
}
