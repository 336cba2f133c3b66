using System.Globalization;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Parts;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>
/// The FrameLord sync client for one device (DESIGN 5): a local SQLite store with the eight entity
/// types, the outbox, and the push/pull sync. Reads and writes touch the local store only and work
/// offline; <see cref="SyncNowAsync"/> is one deterministic sync step (pull, push, pull) and
/// <see cref="Start"/> runs it in a loop (2 s debounce, 30 s pulls, backoff). Time, randomness and the
/// transport are injected (<see cref="SyncClientOptions"/>).
/// </summary>
public sealed partial class SyncClient : IAsyncDisposable
{
    private readonly SyncClientOptions _options;
    private readonly LocalDatabase _db;
    private readonly ISyncTransport _transport;
    private readonly bool _ownsTransport;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Backoff _backoff;
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private readonly SyncEvents _events;
    private readonly SyncStatusTracker _status;
    private readonly SyncTrigger _trigger = new();
    private readonly DeviceIdentity _identity;
    private readonly AccessTokens _tokens;
    private readonly AccountBinder _account;
    private readonly EntityWriter _writer;
    private readonly BandwidthPolicy _bandwidth;
    private readonly PullSession _pull;
    private readonly PushSession _push;
    private readonly ConflictResolver _conflicts;

    private SyncClient(SyncClientOptions options, LocalDatabase db, ISyncTransport transport, bool ownsTransport, Random random, DeviceIdentity identity,
        DateTimeOffset? lastSyncAt, DateTimeOffset createdAt)
    {
        _options = options;
        _db = db;
        _transport = transport;
        _ownsTransport = ownsTransport;
        _time = options.TimeProvider;
        _random = random;
        _identity = identity;
        _events = new SyncEvents(this);
        _status = new SyncStatusTracker(db, _time, options.StaleAfter, _events, lastSyncAt, createdAt);
        _tokens = new AccessTokens(options.RefreshAccessToken);
        _account = new AccountBinder(db, _time, transport, identity, _tokens);
        _writer = new EntityWriter(db, _time, options, identity, _trigger, _status);
        _bandwidth = new BandwidthPolicy(db, _time, options, transport, _events);
        var applier = new RemoteEntityApplier(identity);
        _pull = new PullSession(db, _time, options, identity, _tokens, transport, _writer, applier, _bandwidth, _status, _events);
        _push = new PushSession(db, _time, options, identity, _tokens, transport, _status, _events);
        _conflicts = new ConflictResolver(db, _time, identity, _tokens, transport, applier, _status);
        _backoff = new Backoff(options.RetryDelays, options.RetryJitter, random);
        Contacts = new EntityStore<Contact>(_writer, db.Reader, random, EntityTypes.Contact, "cnt", ModelJsonContext.Default.Contact);
        Notes = new EntityStore<Note>(_writer, db.Reader, random, EntityTypes.Note, "note", ModelJsonContext.Default.Note);
        Tasks = new EntityStore<TaskItem>(_writer, db.Reader, random, EntityTypes.Task, "task", ModelJsonContext.Default.TaskItem);
        Interactions = new EntityStore<Interaction>(_writer, db.Reader, random, EntityTypes.Interaction, "int", ModelJsonContext.Default.Interaction);
        Folders = new EntityStore<Folder>(_writer, db.Reader, random, EntityTypes.Folder, "fld", ModelJsonContext.Default.Folder);
        Groups = new EntityStore<Group>(_writer, db.Reader, random, EntityTypes.Group, "grp", ModelJsonContext.Default.Group);
        Projects = new EntityStore<Project>(_writer, db.Reader, random, EntityTypes.Project, "prj", ModelJsonContext.Default.Project);
        Pipelines = new EntityStore<Pipeline>(_writer, db.Reader, random, EntityTypes.Pipeline, "pip", ModelJsonContext.Default.Pipeline);
        Documents = new DocumentStore(this);
    }

    /// <summary>Opens (or creates) the device's database and the client over it. Nothing is sent until a sync.</summary>
    public static async Task<SyncClient> OpenAsync(SyncClientOptions options, CancellationToken cancellationToken = default)
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

            return new SyncClient(options, db, transport, ownsTransport, random, new DeviceIdentity(deviceId, userId, contactZeroId), lastSync, createdAt);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>This device's id, generated once per database.</summary>
    public string DeviceId => _identity.DeviceId;

    /// <summary>The account this database belongs to, once signed up or logged in.</summary>
    public string? UserId => _identity.UserId;

    /// <summary>The id of the user's Contact Zero (local only, never synced).</summary>
    public string? ContactZeroId => _identity.ContactZeroId;

    /// <summary>The bearer token sent with sync requests. Set by signup and login; the app may set it (e.g. after its own refresh).</summary>
    public string? AccessToken
    {
        get => _tokens.Current;
        set => _tokens.Current = value;
    }

    public EntityStore<Contact> Contacts { get; }

    public EntityStore<Note> Notes { get; }

    public EntityStore<TaskItem> Tasks { get; }

    public EntityStore<Interaction> Interactions { get; }

    public EntityStore<Folder> Folders { get; }

    public EntityStore<Group> Groups { get; }

    public EntityStore<Project> Projects { get; }

    public EntityStore<Pipeline> Pipelines { get; }

    /// <summary>Note bodies: Yjs documents stored on the device and synced by delta (DESIGN 6).</summary>
    public DocumentStore Documents { get; }

    internal LocalDatabase Database => _db;

    internal TimeProvider Time => _time;

    internal Random Random => _random;

    private static DateTimeOffset? ParseTicks(string? value) =>
        value is null ? null : new DateTimeOffset(long.Parse(value, CultureInfo.InvariantCulture), TimeSpan.Zero);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _syncGate.WaitAsync();
        try
        {
            CloseAllDocuments();
            _bandwidth.Detach();
            await _db.DisposeAsync();
            if (_ownsTransport && _transport is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
        finally
        {
            _syncGate.Release();
        }
    }
}
