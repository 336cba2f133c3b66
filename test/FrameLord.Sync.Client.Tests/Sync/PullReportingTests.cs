using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>What a pull tells the app: progress from the server's <c>remaining</c>, notifications (single or summarized), and the status while it runs.</summary>
public sealed class PullReportingTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();
    private SyncClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _client = await LocalDevice.OpenAsync(_folder.File("d.db"), _transport, _time);
        await _client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 3600 });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _folder.Dispose();
    }


    [Fact]
    public async Task Pull_ReportsAPercentageFromTheFirstPage_UsingRemaining()
    {
        _transport.ServeContacts(total: 1000, pageSize: 250);
        var reports = new List<SyncProgressEventArgs>();
        _client.ProgressChanged += (_, e) =>
        {
            if (e.Phase == SyncPhase.Pull)
            {
                reports.Add(e);
            }
        };

        await _client.PullAsync();
        Assert.Equal([null, 25.0, 50.0, 75.0, 100.0], reports.Select(r => r.Percent));
        Assert.All(reports.Skip(1), r => Assert.Equal(1000, r.Total));
    }

    [Fact]
    public async Task AFirstSyncOfManyEntities_RaisesOneSummary_NotAnEventPerEntity()
    {
        _transport.ServeContacts(total: 5000, pageSize: 500);
        var singles = new List<RemoteChangeEventArgs>();
        var summaries = new List<RemoteChangesSummaryEventArgs>();
        _client.EntityChangedRemotely += (_, e) => singles.Add(e);
        _client.RemoteChangesSummarized += (_, e) => summaries.Add(e);

        await _client.SyncNowAsync();
        Assert.Empty(singles);
        var summary = Assert.Single(summaries);
        Assert.Equal((5000, 0, 0), (summary.Created, summary.Updated, summary.Deleted));
        Assert.Equal(5000, summary.ByEntityType[EntityTypes.Contact]);
        Assert.Equal("5,000 changes from another device", summary.Message);
    }

    [Fact]
    public async Task AnOrdinarySync_KeepsOneEventPerEntity()
    {
        _transport.ServeContacts(total: 3, pageSize: 2);
        var singles = new List<RemoteChangeEventArgs>();
        var summaries = new List<RemoteChangesSummaryEventArgs>();
        _client.EntityChangedRemotely += (_, e) => singles.Add(e);
        _client.RemoteChangesSummarized += (_, e) => summaries.Add(e);

        await _client.SyncNowAsync();
        Assert.Empty(summaries);
        Assert.Equal(["cnt_0", "cnt_1", "cnt_2"], singles.Select(e => e.EntityId));
        Assert.All(singles, e => Assert.Equal("Contact created on another device", e.Message));
    }

    [Fact]
    public async Task ASync_ShowsSyncingWhileItRuns_ThenSynced()
    {
        var statuses = new List<SyncStatus>();
        _client.StatusChanged += (_, e) => statuses.Add(e.State.Status);
        SyncStatus? duringPull = null;
        _transport.OnPull = (request, _) =>
        {
            duringPull = _client.State.Status;
            return new PullResponse { Changes = [], Cursor = "0", HasMore = false, SyncTimestamp = LocalDevice.Start };
        };

        Assert.Equal(SyncStatus.Synced, _client.State.Status);
        await _client.SyncNowAsync();
        Assert.Equal(SyncStatus.Syncing, duringPull);
        Assert.Equal([SyncStatus.Syncing, SyncStatus.Synced], statuses.Distinct());
        Assert.Equal(SyncStatus.Synced, statuses[^1]);
        Assert.Equal(SyncStatus.Synced, _client.State.Status);
    }
}
