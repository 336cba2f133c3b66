using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>Opens clients over a scripted transport and a fake clock, and reads their outbox for assertions.</summary>
public static class LocalDevice
{
    public static readonly DateTimeOffset Start = new(2025, 12, 5, 10, 0, 0, TimeSpan.Zero);

    public static Task<SyncClient> OpenAsync(string path, ISyncTransport transport, FakeTimeProvider time, int seed = 1,
        Func<CancellationToken, Task<string>>? refresh = null) =>
        SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = path,
            Transport = transport,
            TimeProvider = time,
            Random = new Random(seed),
            RefreshAccessToken = refresh,
        });

    internal static List<OutboxEntry> Outbox(SyncClient client) => client.Database.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"SELECT {Rows.OutboxColumns} FROM outbox ORDER BY seq;";
        using var reader = command.ExecuteReader();
        var list = new List<OutboxEntry>();
        while (reader.Read())
        {
            list.Add(Rows.Outbox(reader));
        }

        return list;
    });

    internal static JsonObject Data(SyncClient client, string type, string id) => client.Database.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT data FROM entities WHERE entity_type = $t AND entity_id = $i;";
        command.Parameters.AddWithValue("$t", type);
        command.Parameters.AddWithValue("$i", id);
        return Rows.ParseObject((string)command.ExecuteScalar()!);
    });
}
