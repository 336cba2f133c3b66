using System.Text.Json;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Postgres;
using Npgsql;

namespace FrameLord.Sync.Server.Live;

/// <summary>
/// Carries live events between server processes that share one PostgreSQL (DESIGN 7): each event
/// published here is sent with NOTIFY on one channel, and each process LISTENs and delivers what
/// other processes sent to its own streams. Does nothing on SQLite (one process by nature).
/// </summary>
internal sealed partial class PostgresLiveRelay(ISyncStore store, LiveHub hub, ILogger<PostgresLiveRelay> logger) : BackgroundService
{
    private const string Channel = "framelord_sync_live";
    private readonly string _origin = Guid.NewGuid().ToString("N");

    private sealed record Envelope(string O, string U, string N, string D);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not PostgresSyncStore postgres)
        {
            return;
        }

        hub.Published += e => _ = NotifyAsync(postgres, e);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await postgres.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, args) => Receive(args.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogLost(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task NotifyAsync(PostgresSyncStore postgres, LiveEvent e)
    {
        try
        {
            var payload = JsonSerializer.Serialize(new Envelope(_origin, e.UserId, e.Name, e.Data), RelayJsonContext.Default.Envelope);
            await using var command = postgres.DataSource.CreateCommand("SELECT pg_notify($1, $2)");
            command.Parameters.AddWithValue(Channel);
            command.Parameters.AddWithValue(payload);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // Other processes' clients fall back to their 30 s poll for this one change.
            LogLost(logger, ex);
        }
    }

    private void Receive(string payload)
    {
        var envelope = JsonSerializer.Deserialize(payload, RelayJsonContext.Default.Envelope);
        if (envelope is not null && envelope.O != _origin)
        {
            hub.Deliver(new LiveEvent(envelope.U, envelope.N, envelope.D));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live event relay over PostgreSQL failed; retrying")]
    private static partial void LogLost(ILogger logger, Exception exception);

    [System.Text.Json.Serialization.JsonSerializable(typeof(Envelope))]
    private sealed partial class RelayJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
}
