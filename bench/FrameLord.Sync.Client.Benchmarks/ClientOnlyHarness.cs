using System.Diagnostics;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>The client's own share: push 10,000 changes to a free server, and apply 10,000 pulled ones (pages recorded from the real server).</summary>
public static class ClientOnlyHarness
{
    public static async Task RunAsync(int runs)
    {
        var pages = new List<FrameLord.Sync.Protocol.PullResponse>();
        await using (var devices = await Devices.StartAsync(Backend.Sqlite))
        {
            var (a, _) = await devices.PairAsync();
            await Devices.WriteOfflineAsync(a);
            await a.SyncNowAsync();
            var http = new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = devices.Address });
            string? cursor = null;
            do
            {
                var page = await http.PullAsync(new FrameLord.Sync.Protocol.PullRequest { DeviceId = "dev_rec", SchemaVersion = "1", Cursor = cursor, Limit = 500 }, a.AccessToken!, default);
                pages.Add(page);
                cursor = page.HasMore ? page.Cursor : null;
            }
            while (cursor is not null);
        }

        var folder = Directory.CreateTempSubdirectory("framelord-client-only-").FullName;
        for (var run = 0; run <= runs; run++)
        {
            var transport = new InMemoryTransport();
            transport.Pages.AddRange(pages);
            await using var a = await SyncClient.OpenAsync(new SyncClientOptions { DatabasePath = Path.Combine(folder, $"a{run}.db"), Transport = new InMemoryTransport() });
            await a.SignupAsync("x@example.com", "password1");
            var clock = Stopwatch.StartNew();
            await Devices.WriteOfflineAsync(a);
            var writes = clock.Elapsed;
            clock.Restart();
            await a.PushAsync();
            var push = clock.Elapsed;
            await using var b = await SyncClient.OpenAsync(new SyncClientOptions { DatabasePath = Path.Combine(folder, $"b{run}.db"), Transport = transport });
            await b.SignupAsync("x@example.com", "password1");
            clock.Restart();
            var pulled = await b.PullAsync();
            var pull = clock.Elapsed;
            Console.WriteLine($"client only, run {run}: 10,000 writes {writes.TotalMilliseconds:F0} ms, push {push.TotalMilliseconds:F0} ms, pull of {pulled} {pull.TotalMilliseconds:F0} ms");
        }
    }
}
