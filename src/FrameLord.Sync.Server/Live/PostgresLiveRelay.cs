using System.Text.Json;
using System.Threading.Channels;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.Server.Storage.Postgres;
using Npgsql;

namespace FrameLord.Sync.Server.Live;

/// <summary>
/// Carries live events between server processes that share one PostgreSQL (DESIGN 7): events published
/// here are queued and sent with NOTIFY over one connection (batched, so a burst of commits never takes
/// more than that one connection from the pool), and each process LISTENs on another connection and
/// delivers what other processes sent to its own streams. Does nothing on SQLite (one process by nature).
/// </summary>
internal sealed partial class PostgresLiveRelay(ISyncStore store, LiveHub hub, ILogger<PostgresLiveRelay> logger) : BackgroundService
{
    private const string ChannelName = "framelord_sync_live";

    /// <summary>Events waiting to be sent; beyond this the oldest are dropped (an event only says "pull now").</summary>
    private const int QueueLength = 4096;

    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly Channel<LiveEvent> _outgoing = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(QueueLength)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private sealed record Envelope(string O, string U, string N, string D);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not PostgresSyncStore postgres)
        {
            return;
        }

        hub.Published += e => _outgoing.Writer.TryWrite(e);
        await Task.WhenAll(ListenAsync(postgres, stoppingToken), SendAsync(postgres, stoppingToken));
    }

    private async Task ListenAsync(PostgresSyncStore postgres, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await postgres.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, args) => Receive(args.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
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

    private async Task SendAsync(PostgresSyncStore postgres, CancellationToken stoppingToken)
    {
        var pending = new List<LiveEvent>();
        while (await _outgoing.Reader.WaitToReadAsync(stoppingToken))
        {
            while (pending.Count < 256 && _outgoing.Reader.TryRead(out var next))
            {
                pending.Add(next);
            }

            try
            {
                await using var connection = await postgres.DataSource.OpenConnectionAsync(stoppingToken);
                await using var batch = new NpgsqlBatch(connection);
                foreach (var e in pending)
                {
                    var payload = JsonSerializer.Serialize(new Envelope(_origin, e.UserId, e.Name, e.Data), RelayJsonContext.Default.Envelope);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
                    {
                        Parameters = { new() { Value = ChannelName }, new() { Value = payload } },
                    });
                }

                await batch.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // Other processes' clients fall back to their 30 s poll for these changes.
                LogLost(logger, ex);
            }

            pending.Clear();
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
