using System.Net;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>DESIGN 5.2: a whole-request error that names no change rejects nothing; the outbox stays and the loop retries.</summary>
public abstract partial class SyncScenarioTests
{
    [Fact]
    public async Task ADeviceIdOverTheServersIdLimit_KeepsTheOutbox_ShowsTheError_AndDrainsOnceTheLimitIsRaised()
    {
        // The operator lowered Limits:MaxIdLength below the SDK's device id (dev_ and 32 hex digits).
        await using var strict = await TestServer.StartAsync(Db, new Dictionary<string, string>(Settings) { ["Limits:MaxIdLength"] = "20" });
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport, pushBatchSize: 8);
        await a.SignupAsync(Email, Password, "Me");
        Assert.True(a.DeviceId.Length > 20);
        for (var i = 0; i < 20; i++)
        {
            await a.Contacts.CreateAsync(new Contact { Id = $"cnt_{i}", Name = $"C{i}" });
        }

        transport.Redirect = Http(strict.BaseAddress);
        var error = await Assert.ThrowsAsync<SyncTransportException>(() => a.PushAsync());
        Assert.Equal((400, ErrorCodes.ValidationFailed), (error.StatusCode, error.Code));
        Assert.Equal(20, a.State.PendingChanges);
        Assert.Equal(SyncStatus.Error, a.State.Status);
        Assert.Same(error, a.State.LastError);
        Assert.Empty(await a.GetRejectedChangesAsync());
        // The first batch and its two halves, not every change alone; no later batch in the same step.
        Assert.Equal(3, transport.Pushes.Count);

        await Assert.ThrowsAsync<SyncTransportException>(() => a.SyncNowAsync());
        Assert.Equal(20, a.State.PendingChanges);
        Assert.Equal(SyncStatus.Error, a.State.Status);

        transport.Redirect = null; // the limit is back at its default
        var result = await a.SyncNowAsync();
        Assert.Equal((20, 0), (result.Pushed, result.Rejected));
        Assert.Equal(0, a.State.PendingChanges);
        Assert.Equal(SyncStatus.Synced, a.State.Status);
        Assert.Equal(20, (await ServerSnapshotAsync()).Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    public async Task AProxysErrorPageOnPush_RejectsNothing_AndTheOutboxDrainsWhenItIsGone(HttpStatusCode status)
    {
        var proxy = new ProxyHandler(new SocketsHttpHandler());
        using var http = new HttpClient(proxy) { BaseAddress = Server.BaseAddress };
        var a = await OpenDeviceAsync("a", new HttpSyncTransport(http));
        await a.SignupAsync(Email, Password, "Me");
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_1", Name = "one" });
        await a.Contacts.CreateAsync(new Contact { Id = "cnt_2", Name = "two" });
        await a.Tasks.CreateAsync(new TaskItem { Id = "tsk_1", Title = "alone in its batch, small" });

        proxy.Answer = path => path.EndsWith("/sync/push", StringComparison.Ordinal) ? status : null;
        var error = await Assert.ThrowsAsync<SyncTransportException>(() => a.SyncNowAsync());
        Assert.Equal((int)status, error.StatusCode);
        Assert.False(error.IsContractAnswer);
        Assert.Equal(3, a.State.PendingChanges);
        Assert.Equal(SyncStatus.Error, a.State.Status);
        Assert.Empty(await a.GetRejectedChangesAsync());

        proxy.Answer = _ => null;
        var result = await a.SyncNowAsync();
        Assert.Equal((3, 0), (result.Pushed, result.Rejected));
        Assert.Equal(SyncStatus.Synced, a.State.Status);
    }

    [Fact]
    public async Task AProxysErrorPageOnANoteSync_IsNoRefusal_TheNoteSyncsOnceItIsGone()
    {
        var proxy = new ProxyHandler(new SocketsHttpHandler());
        using var http = new HttpClient(proxy) { BaseAddress = Server.BaseAddress };
        var a = await OpenDeviceAsync("a", new HttpSyncTransport(http));
        await a.SignupAsync(Email, Password, "Me");
        var failures = new List<DocumentSyncFailedEventArgs>();
        a.DocumentSyncFailed += (_, e) => failures.Add(e);
        using (var note = await a.Documents.OpenAsync("note_proxied"))
        {
            AddBlock(note, "b-1", "behind a proxy");
        }

        proxy.Answer = path => path.Contains("/notes/", StringComparison.Ordinal) ? HttpStatusCode.BadRequest : null;
        await Assert.ThrowsAsync<SyncTransportException>(() => a.SyncNowAsync());
        Assert.Empty(failures);
        Assert.Equal(SyncStatus.Error, a.State.Status);
        Assert.True((await a.Documents.GetSyncInfoAsync("note_proxied"))!.HasUnsyncedChanges);

        proxy.Answer = _ => null;
        var result = await a.SyncNowAsync();
        Assert.Equal(1, result.Documents);
        Assert.False((await a.Documents.GetSyncInfoAsync("note_proxied"))!.HasUnsyncedChanges);
        Assert.Contains("behind a proxy", (await ServerNoteAsync("note_proxied", a.AccessToken!)).Content, StringComparison.Ordinal);
    }
}
