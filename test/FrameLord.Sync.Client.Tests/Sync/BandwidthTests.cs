using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>The bandwidth budget (seed Open Question 4): the meter per month and network, the warning, and the cellular policy.</summary>
public sealed class BandwidthTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();
    private SyncClient _client = null!;

    public async ValueTask InitializeAsync() => _client = await OpenAsync();

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<SyncClient> OpenAsync()
    {
        var client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = _folder.File("d.db"),
            Transport = _transport,
            TimeProvider = _time,
            Random = new Random(1),
            CellularMonthlyBudgetBytes = 3000,
            LargePullChanges = 10,
        });
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 3600 });
        return client;
    }

    private long TransferredSince(int from) => _transport.Transfers.Skip(from).Sum(t => t.Sent + t.Received);

    [Fact]
    public async Task TheMeter_CountsEachMonthAndNetwork_SurvivesARestart_AndStartsOverNextMonth()
    {
        _client.NetworkKind = NetworkKind.Wifi;
        await _client.Contacts.CreateAsync(new Contact { Name = "on wifi" });
        await _client.SyncNowAsync();
        var wifi = TransferredSince(0);
        Assert.True(wifi > 0);
        Assert.Equal(wifi, _client.GetBandwidthUsage(NetworkKind.Wifi).TotalBytes);
        Assert.Equal(0, _client.GetBandwidthUsage(NetworkKind.Cellular).TotalBytes);

        _client.NetworkKind = NetworkKind.Cellular;
        var before = _transport.Transfers.Count;
        await _client.Contacts.CreateAsync(new Contact { Name = "on cellular" });
        await _client.SyncNowAsync();
        var cellular = _client.GetBandwidthUsage(NetworkKind.Cellular);
        Assert.Equal(TransferredSince(before), cellular.TotalBytes);
        Assert.Equal(_transport.Transfers.Skip(before).Sum(t => t.Sent), cellular.SentBytes);

        await _client.DisposeAsync();
        _client = await OpenAsync();
        Assert.Equal(wifi, _client.GetBandwidthUsage(NetworkKind.Wifi).TotalBytes);
        Assert.Equal(cellular, _client.GetBandwidthUsage(NetworkKind.Cellular));

        _time.Advance(TimeSpan.FromDays(27)); // 5 December to 1 January: a new month
        Assert.Equal(0, _client.GetBandwidthUsage(NetworkKind.Wifi).TotalBytes);
        Assert.Equal(wifi, _client.GetBandwidthUsage(NetworkKind.Wifi, LocalDevice.Start).TotalBytes);
    }

    [Fact]
    public async Task PastTheCellularBudget_OneWarning_NoteBodiesAndLargePullsWait_PushesStillGo_UntilWifi()
    {
        _transport.ServeContacts(total: 200, pageSize: 20);
        var own = await _client.Contacts.CountAsync(); // Contact Zero
        var warnings = new List<BandwidthBudgetEventArgs>();
        _client.BandwidthBudgetExceeded += (_, e) => warnings.Add(e);
        _client.NetworkKind = NetworkKind.Cellular;
        using (var note = await _client.Documents.OpenAsync("note_1"))
        {
            note.Doc.Transact(_ => BlockEditor.AddBlock(note.Doc.GetMap("blocks"), "b-1", "a body that waits for wifi"));
        }

        // The first pages cross the 3,000-byte budget; the pull stops there.
        await _client.SyncNowAsync();
        var warning = Assert.Single(warnings);
        Assert.Equal("2025-12", warning.Month);
        Assert.True(warning.Cellular.TotalBytes > 3000);
        Assert.True(_client.IsDeferringLargeSyncs);
        var pulled = await _client.Contacts.CountAsync() - own;
        Assert.InRange(pulled, 20, 199);
        Assert.Empty(_transport.DocumentSyncs);

        // A small push still goes; the large pull and the note body still wait; no second warning.
        await _client.Contacts.CreateAsync(new Contact { Id = "cnt_mine", Name = "mine" });
        await _client.SyncNowAsync();
        Assert.Contains(_transport.Pushes, p => p.Changes.Any(c => c.EntityId == "cnt_mine"));
        Assert.Empty(_transport.DocumentSyncs);
        Assert.True(await _client.Contacts.CountAsync() - own < 201);
        Assert.Single(warnings);

        _client.NetworkKind = NetworkKind.Wifi;
        await _client.SyncNowAsync();
        Assert.Equal(201, await _client.Contacts.CountAsync() - own);
        Assert.Single(_transport.DocumentSyncs);
        Assert.False(_client.IsDeferringLargeSyncs);
    }
}
