using FrameLord.Sync.Cli.Simulation;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Cli.Demo;

public static partial class DemoScript
{
    private static async Task<bool> ContactZeroStaysLocal(INarrator say, SyncService sync, AuthResponse auth, List<Device> devices,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("Contact Zero stays on the device");
        var onServer = (await ServerState.PullAllAsync(sync, auth.UserId, cancellationToken)).Any(c => c.EntityId == auth.ContactZeroId);
        var everywhere = true;
        foreach (var device in devices)
        {
            everywhere &= (await device.Client.Contacts.GetAsync(auth.ContactZeroId, cancellationToken))?.IsContactZero == true;
        }

        say.Say("Each device holds the user's own Contact Zero; the server never receives it.");
        check("Contact Zero is on every device", everywhere);
        check("Contact Zero is not on the server", !onServer);
        return true;
    }

    private static async Task<bool> Converged(INarrator say, SyncService sync, AuthResponse auth, List<Device> devices,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("Did every device converge?");
        await SyncAll(devices, cancellationToken);
        var server = await ServerState.PullAllAsync(sync, auth.UserId, cancellationToken);
        var rows = new List<IReadOnlyList<string>>();
        var all = true;
        foreach (var kind in EntityKind.All)
        {
            var expected = server.Where(s => s.EntityType == kind.Type)
                .Select(s => s.EntityId + "=" + string.Join('|', kind.Fields.Select(f => s.Data.TryGetProperty(f.Name, out var v) ? Ledger.Text(v) : null)))
                .Order(StringComparer.Ordinal).ToList();
            var row = new List<string> { kind.Type, expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (var device in devices)
            {
                var local = (await kind.ListAsync(device.Client)).Where(e => e.Id != auth.ContactZeroId)
                    .Select(e => e.Id + "=" + string.Join('|', kind.Fields.Select(f => f.Get(e))))
                    .Order(StringComparer.Ordinal).ToList();
                var same = local.SequenceEqual(expected);
                all &= same;
                row.Add(same ? "same" : "DIFFERENT");
            }

            rows.Add(row);
        }

        say.Table("Entities per type: server vs devices", ["type", "on server", .. devices.Select(d => d.Name)], rows);
        check("every device holds exactly what the server holds", all);
        return all;
    }
}
