using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Cli.Demo;

/// <summary>
/// The narrated demo: an in-process server on a temporary SQLite file and three devices of one user
/// (laptop, phone, tablet) running the SDK over HTTP, walking through the seed's scenarios. It ends by
/// checking that every device holds exactly what the server holds.
/// </summary>
public static partial class DemoScript
{
    private sealed record Device(string Name, SyncClient Client, SwitchableTransport Network, DemoClock Clock, List<string> Notices);

    public static async Task<bool> RunAsync(INarrator say, CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("framelord-demo-").FullName;
        var ok = true;
        void Check(string what, bool holds)
        {
            say.Check(what, holds);
            ok &= holds;
        }

        try
        {
            say.Chapter("An in-process server on a temporary SQLite file");
            await using var server = await SyncServerApp.BuildAsync(
            [
                "--urls=http://127.0.0.1:0",
                $"--Storage:ConnectionString=Data Source={Path.Combine(folder, "server.db")}",
                $"--Auth:SigningKeyFile={Path.Combine(folder, "signing.key")}",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.AspNetCore=Error",
            ]);
            await server.StartAsync(cancellationToken);
            var uri = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            say.Say($"Listening on {uri}");

            var start = new DateTimeOffset(2025, 12, 5, 9, 0, 0, TimeSpan.Zero);
            var devices = new List<Device>();
            foreach (var name in new[] { "laptop", "phone", "tablet" })
            {
                var clock = new DemoClock(start);
                var network = new SwitchableTransport(new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = uri }, clock));
                var client = await SyncClient.OpenAsync(new SyncClientOptions
                {
                    DatabasePath = Path.Combine(folder, $"{name}.db"),
                    Transport = network,
                    TimeProvider = clock,
                    DeviceId = $"dev_{name}",
                }, cancellationToken);
                var device = new Device(name, client, network, clock, []);
                client.EntityChangedRemotely += (_, e) => device.Notices.Add(e.Message);
                devices.Add(device);
            }

            var (laptop, phone, tablet) = (devices[0], devices[1], devices[2]);
            try
            {
                var sync = server.Services.GetRequiredService<SyncService>();
                var auth = await Accounts(say, laptop, phone, tablet, cancellationToken);
                // Every check goes through Check, which clears ok when one fails.
                await OfflineEdits(say, laptop, phone, tablet, Check, cancellationToken);
                await SarahConflict(say, laptop, phone, tablet, Check, cancellationToken);
                await CriticalConflict(say, laptop, phone, tablet, Check, cancellationToken);
                await DeleteWhileEditing(say, laptop, phone, tablet, Check, cancellationToken);
                await NoteMerged(say, laptop, phone, tablet, Check, cancellationToken);
                await ContactZeroStaysLocal(say, sync, auth, devices, Check, cancellationToken);
                await Converged(say, sync, auth, devices, Check, cancellationToken);
            }
            finally
            {
                foreach (var device in devices)
                {
                    await device.Client.DisposeAsync();
                }

                await server.StopAsync(cancellationToken);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temporary-file cleanup.
            }
        }

        say.Chapter(ok ? "Every device converged" : "The demo found a problem");
        return ok;
    }

    private static async Task SyncAll(IEnumerable<Device> devices, CancellationToken cancellationToken)
    {
        foreach (var device in devices.Where(d => !d.Network.Offline))
        {
            await device.Client.SyncNowAsync(cancellationToken);
        }

        foreach (var device in devices.Where(d => !d.Network.Offline))
        {
            await device.Client.SyncNowAsync(cancellationToken);
        }
    }

    private static async Task<AuthResponse> Accounts(INarrator say, Device laptop, Device phone, Device tablet, CancellationToken cancellationToken)
    {
        say.Chapter("One user, three devices");
        var auth = await laptop.Client.SignupAsync("alex@example.com", "correct horse battery", "Alex Morgan", cancellationToken);
        say.Say($"Signed up on the laptop as {auth.UserId}; Contact Zero {auth.ContactZeroId} was created on the device.");
        await phone.Client.LoginAsync("alex@example.com", "correct horse battery", cancellationToken);
        await tablet.Client.LoginAsync("alex@example.com", "correct horse battery", cancellationToken);
        say.Say("Logged in on the phone and the tablet.");
        return auth;
    }
}
