using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task SchemaMismatch_IsATypedError_KeepsTheOutbox_AndStopsTheLoop()
    {
        await using var upgraded = await TestServer.StartAsync(Db, new Dictionary<string, string>(Settings)
        {
            ["Sync:SupportedSchemaVersions:0"] = "2",
            ["Sync:RequiredVersion"] = "1.3.0",
        });
        var transport = new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = upgraded.BaseAddress });
        var a = await OpenDeviceAsync("a", transport);
        await a.SignupAsync(Email, Password, "Me");
        await a.Contacts.CreateAsync(new Contact { Name = "kept" });
        await a.Tasks.CreateAsync(new TaskItem { Title = "kept too" });

        var error = await Assert.ThrowsAsync<SchemaMismatchException>(() => a.SyncNowAsync());
        Assert.Equal(426, error.StatusCode);
        Assert.Equal(ErrorCodes.SchemaMismatch, error.Code);
        Assert.Equal("1.3.0", error.RequiredVersion);
        Assert.False(error.IsTransient);
        Assert.Equal(2, a.State.PendingChanges);
        Assert.Equal(SyncStatus.Error, a.State.Status);
        Assert.Same(error, a.State.LastError);

        a.Start();
        await Wait.UntilAsync(() => !a.IsRunning, "the loop stopped on the mismatch");
        Assert.Equal(2, a.State.PendingChanges);
        Assert.Equal(2, LocalDevice.Outbox(a).Count);
        transport.Dispose();
    }

    [Fact]
    public async Task ATokenExpiringMidSync_IsRefreshed_AndTheSameBatchIsSentAgain()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport);
        var auth = await a.SignupAsync(Email, Password, "Me");
        for (var i = 0; i < 450; i++)
        {
            await a.Contacts.CreateAsync(new Contact { Id = $"cnt_{i:D3}", Name = $"C{i}" });
        }

        // A token the server really refuses: signed with its key, expired an hour ago.
        var services = Server.Services;
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        var expired = new TokenService(services.GetRequiredService<AuthOptions>(), services.GetRequiredService<SymmetricSecurityKey>(), past)
            .Issue(auth.UserId).Token;
        var rejected = new List<string[]>();
        transport.AfterPush = (request, _) =>
        {
            if (transport.Pushes.Count == 2)
            {
                a.AccessToken = expired; // expires between the second and third batch
            }
        };
        transport.BeforePush = request =>
        {
            if (a.AccessToken == expired)
            {
                rejected.Add(request.Changes.Select(c => c.ChangeId).ToArray());
            }
        };

        var result = await a.SyncNowAsync();
        Assert.Equal(450, result.Pushed);
        var refused = Assert.Single(rejected);
        Assert.Equal(refused, transport.Pushes[2].Changes.Select(c => c.ChangeId));
        Assert.Equal(refused, transport.Pushes[3].Changes.Select(c => c.ChangeId)); // the 401'd batch, again
        Assert.Equal(5 + 1, transport.Pushes.Count); // 450 changes in batches of 100, one sent twice
        Assert.NotEqual(expired, a.AccessToken);
        Assert.Equal(450, (await ServerSnapshotAsync()).Count);
        Assert.Equal(SyncStatus.Synced, a.State.Status);
    }

    [Fact]
    public async Task AnUnauthorizedAnswerWithoutRefresh_IsAnError_AndKeepsTheOutbox()
    {
        var a = await SyncClient.OpenAsync(new SyncClientOptions { DatabasePath = Folder.File("norefresh.db"), Transport = Http() });
        try
        {
            var auth = await a.SignupAsync(Email, Password, "Me");
            await a.Contacts.CreateAsync(new Contact { Name = "x" });
            // The SDK renews a refused token with its refresh token by itself: with the device logged out, that
            // fails too, and without an app callback nothing else can renew it.
            Assert.Equal(System.Net.HttpStatusCode.NoContent, (await Server.Client(auth.AccessToken).PostAsync("/api/v1/auth/logout", null)).StatusCode);
            a.AccessToken = "not-a-token";
            var error = await Assert.ThrowsAsync<SyncTransportException>(() => a.SyncNowAsync());
            Assert.True(error.IsUnauthorized);
            Assert.Equal(SyncStatus.Error, a.State.Status);
            Assert.Equal(1, a.State.PendingChanges);
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task PoisonedChanges_TooLargeForTheEntityOrTheRequest_AreRejectedAlone()
    {
        var a = (await DevicesAsync("a"))[0];
        var rejected = new List<RejectedChange>();
        a.ChangeRejected += (_, e) => rejected.Add(e.Change);
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_ok1", Name = "fine" });
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_big", Name = new string('x', 300 * 1024) });
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_ok2", Name = "fine" });
        await a.Notes.CreateAsync(new Note { Id = "note_huge", Title = new string('y', 11 * 1024 * 1024) });
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_ok3", Name = "fine" });

        var result = await a.SyncNowAsync();
        Assert.Equal(3, result.Pushed);
        Assert.Equal(2, result.Rejected);
        Assert.Equal(0, a.State.PendingChanges);
        Assert.Equal(SyncStatus.Synced, a.State.Status);
        Assert.Equal(ErrorCodes.EntityTooLarge, rejected.Single(r => r.EntityId == "cnt_big").Code);
        Assert.Equal(ErrorCodes.PayloadTooLarge, rejected.Single(r => r.EntityId == "note_huge").Code);
        Assert.Equal(2, (await a.GetRejectedChangesAsync()).Count);
        Assert.Equal(["contact/cnt_ok1", "contact/cnt_ok2", "contact/cnt_ok3"], (await ServerSnapshotAsync()).Keys);
    }
}
