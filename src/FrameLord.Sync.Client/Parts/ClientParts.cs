using System.Globalization;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The parts of one client, made in dependency order over one open database: each part gets only the parts it
/// uses, and no part gets the client. The client is a facade over these.
/// </summary>
internal sealed class ClientParts
{
    private readonly ISyncTransport _transport;
    private readonly bool _ownsTransport;

    private ClientParts(SyncClientOptions options, LocalDatabase db, ISyncTransport transport, bool ownsTransport, Random random, DeviceIdentity identity,
        DateTimeOffset? lastSyncAt, DateTimeOffset createdAt)
    {
        var time = options.TimeProvider;
        Database = db;
        _transport = transport;
        _ownsTransport = ownsTransport;
        Random = random;
        Identity = identity;
        Status = new SyncStatusTracker(db, time, options.StaleAfter, Events, lastSyncAt, createdAt);
        Tokens = new AccessTokens(options.RefreshAccessToken);
        Account = new AccountBinder(db, time, transport, identity, Tokens);
        Writer = new EntityWriter(db, time, options, identity, Trigger, Status);
        Bandwidth = new BandwidthPolicy(db, time, options, transport, Events);
        var applier = new RemoteEntityApplier(identity);
        var pull = new PullSession(db, time, options, identity, Tokens, transport, Writer, applier, Bandwidth, Status, Events);
        var push = new PushSession(db, time, options, identity, Tokens, transport, Status, Events);
        Conflicts = new ConflictResolver(db, time, identity, Tokens, transport, applier, Status);
        var gate = new SyncGate(Status);
        Gate = gate;
        Documents = new DocumentRegistry(db, time, options, random, Writer, Trigger, Status);
        DocumentSync = new DocumentSyncSession(db, time, options, Tokens, transport, Documents, gate, Status, Events);
        Step = new SyncStep(db, time, pull, push, DocumentSync, Bandwidth, Writer, gate, Status);
        var backoff = new Backoff(options.RetryDelays, options.RetryJitter, random);
        Loop = new SyncLoop(db, time, options, transport, Tokens, backoff, Step, Trigger, Writer, Documents, Status);
        LiveSockets = new LiveDocumentSockets(db, time, options, Tokens, backoff, Documents, Status);
        ContactZero = new ContactZeroPortability(db.Reader, time, identity, Writer);
    }

    public LocalDatabase Database { get; }

    public Random Random { get; }

    public SyncEvents Events { get; } = new();

    public DeviceIdentity Identity { get; }

    public SyncStatusTracker Status { get; }

    public SyncTrigger Trigger { get; } = new();

    public AccessTokens Tokens { get; }

    public AccountBinder Account { get; }

    public EntityWriter Writer { get; }

    public BandwidthPolicy Bandwidth { get; }

    public ConflictResolver Conflicts { get; }

    public SyncGate Gate { get; }

    public DocumentRegistry Documents { get; }

    public DocumentSyncSession DocumentSync { get; }

    public SyncStep Step { get; }

    public SyncLoop Loop { get; }

    public LiveDocumentSockets LiveSockets { get; }

    public ContactZeroPortability ContactZero { get; }

    /// <summary>Opens (or creates) the device's database and makes the parts over it. Nothing is sent.</summary>
    public static async Task<ClientParts> OpenAsync(SyncClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.DatabasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PushBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PullPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InteractivePullPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DocumentLogCompactionUpdates, 1);
        var transport = options.Transport;
        var ownsTransport = false;
        if (transport is null)
        {
            var uri = options.ServerUri ?? throw new ArgumentException("ServerUri or Transport is required.", nameof(options));
            transport = new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = uri }, options.TimeProvider);
            ownsTransport = true;
        }

        var random = options.Random ?? new Random();
        var db = LocalDatabase.Open(options.DatabasePath, options.DurableAgainstPowerLoss);
        try
        {
            var now = options.TimeProvider.GetUtcNow();
            var (deviceId, userId, contactZeroId, lastSync, createdAt) = await db.WriteAsync(w =>
            {
                var device = w.GetMeta(MetaKeys.DeviceId);
                if (device is null)
                {
                    device = options.DeviceId ?? "dev_" + Convert.ToHexStringLower(RandomBytes.Next(random, 16));
                    w.SetMeta(MetaKeys.DeviceId, device);
                    w.SetMeta(MetaKeys.CreatedAt, now.UtcTicks.ToString(CultureInfo.InvariantCulture));
                }

                return (device, w.GetMeta(MetaKeys.UserId), w.GetMeta(MetaKeys.ContactZeroId), ParseTicks(w.GetMeta(MetaKeys.LastSyncAt)),
                    ParseTicks(w.GetMeta(MetaKeys.CreatedAt)) ?? now);
            }, cancellationToken);

            return new ClientParts(options, db, transport, ownsTransport, random, new DeviceIdentity(deviceId, userId, contactZeroId), lastSync, createdAt);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the loop, waits for the exchange in progress, closes the documents and the store, and the transport when it is ours.</summary>
    public async ValueTask DisposeAsync()
    {
        await LiveSockets.StopAllAsync();
        await Loop.StopAsync();
        await Gate.CloseAsync(async () =>
        {
            Documents.CloseAll();
            Bandwidth.Detach();
            await Database.DisposeAsync();
            if (_ownsTransport && _transport is IDisposable disposable)
            {
                disposable.Dispose();
            }
        });
    }

    private static DateTimeOffset? ParseTicks(string? value) =>
        value is null ? null : new DateTimeOffset(long.Parse(value, CultureInfo.InvariantCulture), TimeSpan.Zero);
}
