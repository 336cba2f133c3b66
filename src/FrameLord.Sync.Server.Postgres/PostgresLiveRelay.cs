using System.Text.Json;
using System.Threading.Channels;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Live;
using FrameLord.Sync.Server.Live.Sockets;
using FrameLord.Sync.Server.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

/// <summary>
/// Carries live events between server processes that share one PostgreSQL (DESIGN 7): events published
/// here are queued and sent with NOTIFY over one connection (batched, so a burst of commits never takes
/// more than that one connection from the pool), and each process LISTENs on another connection and
/// delivers what other processes sent to its own streams. Document updates and awareness changes of the live
/// sockets (DESIGN 3.8) travel the same way, inline when the NOTIFY payload stays under PostgreSQL's 8,000-byte
/// limit; a larger update travels by reference (the note only), and a process with sockets on that note reads
/// the stored document back and sends it whole (Yjs ignores what a client has already). Does nothing on SQLite
/// (one process by nature).
/// </summary>
internal sealed partial class PostgresLiveRelay(ISyncStore store, LiveHub hub, NoteHubRegistry notes, DocumentService documents,
    ILogger<PostgresLiveRelay> logger) : BackgroundService
{
    /// <summary>Largest NOTIFY payload sent: PostgreSQL refuses 8,000 bytes and more.</summary>
    public const int MaxPayloadBytes = 7900;

    /// <summary>Live event name of a relayed note update (never delivered to event streams).</summary>
    private const string NoteUpdateName = "yjs:u";

    /// <summary>Live event name of a relayed awareness update (never delivered to event streams).</summary>
    private const string NoteAwarenessName = "yjs:a";

    private const string ChannelName = "framelord_sync_live";

    /// <summary>Events waiting to be sent; beyond this the oldest are dropped (an event only says "pull now").</summary>
    private const int QueueLength = 4096;

    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly Channel<LiveEvent> _outgoing = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(QueueLength)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    /// <summary>Origin process, user, event name, data; for note messages the data is the note id and B the base64 payload.</summary>
    private sealed record Envelope(string O, string U, string N, string D, string? B = null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (TimedStoreProxy.Unwrap(store) is not PostgresSyncStore postgres)
        {
            return;
        }

        hub.Published += e => _outgoing.Writer.TryWrite(e);
        notes.Relayed += m => _outgoing.Writer.TryWrite(new LiveEvent(m.UserId,
            m.Kind == RelayedNoteMessage.UpdateKind ? NoteUpdateName : NoteAwarenessName, m.NoteId) { Payload = m.Payload });
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
                    var payload = Serialize(e);
                    if (payload is null)
                    {
                        continue;
                    }

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

    /// <summary>The NOTIFY payload of an event; a note update too large goes by reference, a large awareness update not at all (it is renewed every 15 s).</summary>
    private string? Serialize(LiveEvent e)
    {
        var payload = JsonSerializer.Serialize(new Envelope(_origin, e.UserId, e.Name, e.Data, e.Payload is { } p ? Convert.ToBase64String(p) : null), RelayJsonContext.Default.Envelope);
        if (System.Text.Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes)
        {
            return payload;
        }

        return e.Name == NoteUpdateName
            ? JsonSerializer.Serialize(new Envelope(_origin, e.UserId, e.Name, e.Data), RelayJsonContext.Default.Envelope)
            : null;
    }

    private void Receive(string payload)
    {
        var envelope = JsonSerializer.Deserialize(payload, RelayJsonContext.Default.Envelope);
        if (envelope is null || envelope.O == _origin)
        {
            return;
        }

        switch (envelope.N)
        {
            case NoteAwarenessName when envelope.B is not null:
                notes.DeliverRemote(new RelayedNoteMessage(envelope.U, envelope.D, RelayedNoteMessage.AwarenessKind, Convert.FromBase64String(envelope.B)));
                break;
            case NoteUpdateName when envelope.B is not null:
                notes.DeliverRemote(new RelayedNoteMessage(envelope.U, envelope.D, RelayedNoteMessage.UpdateKind, Convert.FromBase64String(envelope.B)));
                break;
            case NoteUpdateName:
                if (notes.HasHub(envelope.U, envelope.D))
                {
                    _ = SendStoredDocumentAsync(envelope.U, envelope.D);
                }

                break;
            case NoteAwarenessName:
                break;
            default:
                hub.Deliver(new LiveEvent(envelope.U, envelope.N, envelope.D));
                break;
        }
    }

    /// <summary>An update that was too large to carry: the note's sockets here get the stored document whole.</summary>
    private async Task SendStoredDocumentAsync(string userId, string noteId)
    {
        try
        {
            var whole = await documents.SyncAsync(userId, noteId, new FrameLord.Sync.Protocol.DocumentSyncRequest(), CancellationToken.None);
            notes.DeliverRemote(new RelayedNoteMessage(userId, noteId, RelayedNoteMessage.UpdateKind, whole.Updates));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The sockets' clients catch up on their next reconnect or sync step.
            LogLost(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live event relay over PostgreSQL failed; retrying")]
    private static partial void LogLost(ILogger logger, Exception exception);

    [System.Text.Json.Serialization.JsonSourceGenerationOptions(DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [System.Text.Json.Serialization.JsonSerializable(typeof(Envelope))]
    private sealed partial class RelayJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
}
