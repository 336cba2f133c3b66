using System.Text.Json;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Parts;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>
/// The FrameLord sync client for one device (DESIGN 5): a local SQLite store with the eight entity
/// types, the outbox, and the push/pull sync. Reads and writes touch the local store only and work
/// offline; <see cref="SyncNowAsync"/> is one deterministic sync step (pull, push, pull) and
/// <see cref="Start"/> runs it in a loop (2 s debounce, 30 s pulls, backoff). Time, randomness and the
/// transport are injected (<see cref="SyncClientOptions"/>).
/// </summary>
/// <remarks>
/// A facade: every job is done by a part that owns its state (the local writer, the pull and push sessions,
/// the note-document sync, the loop, the status; see <see cref="ClientParts"/>); this class holds no state or lock of its own.
/// </remarks>
public sealed class SyncClient : IAsyncDisposable
{
    /// <summary>The <c>format</c> of a Contact Zero file.</summary>
    public const string ContactZeroFormat = ContactZeroPortability.Format;

    /// <summary>The newest file version this SDK writes and reads.</summary>
    public const int ContactZeroFormatVersion = ContactZeroPortability.FormatVersion;

    /// <summary>Crash points of the sync step, for the crash tests.</summary>
    internal const string FaultPushBeforeSend = PushSession.FaultBeforeSend;

    internal const string FaultPushBeforeAck = PushSession.FaultBeforeAck;

    internal const string FaultPullBeforeCursor = PullSession.FaultBeforeCursor;

    internal const string FaultPullAfterCommit = PullSession.FaultAfterCommit;

    private readonly ClientParts _parts;

    private SyncClient(ClientParts parts)
    {
        _parts = parts;
        parts.Events.Sender = this;
        var (writer, reader, random) = (parts.Writer, parts.Database.Reader, parts.Random);
        Contacts = new EntityStore<Contact>(writer, reader, random, EntityTypes.Contact, "cnt", ModelJsonContext.Default.Contact);
        Notes = new EntityStore<Note>(writer, reader, random, EntityTypes.Note, "note", ModelJsonContext.Default.Note);
        Tasks = new EntityStore<TaskItem>(writer, reader, random, EntityTypes.Task, "task", ModelJsonContext.Default.TaskItem);
        Interactions = new EntityStore<Interaction>(writer, reader, random, EntityTypes.Interaction, "int", ModelJsonContext.Default.Interaction);
        Folders = new EntityStore<Folder>(writer, reader, random, EntityTypes.Folder, "fld", ModelJsonContext.Default.Folder);
        Groups = new EntityStore<Group>(writer, reader, random, EntityTypes.Group, "grp", ModelJsonContext.Default.Group);
        Projects = new EntityStore<Project>(writer, reader, random, EntityTypes.Project, "prj", ModelJsonContext.Default.Project);
        Pipelines = new EntityStore<Pipeline>(writer, reader, random, EntityTypes.Pipeline, "pip", ModelJsonContext.Default.Pipeline);
        Documents = new DocumentStore(parts.Documents, parts.DocumentSync, reader);
    }

    /// <summary>Opens (or creates) the device's database and the client over it. Nothing is sent until a sync.</summary>
    public static async Task<SyncClient> OpenAsync(SyncClientOptions options, CancellationToken cancellationToken = default) =>
        new(await ClientParts.OpenAsync(options, cancellationToken));

    /// <summary>This device's id, generated once per database.</summary>
    public string DeviceId => _parts.Identity.DeviceId;

    /// <summary>The account this database belongs to, once signed up or logged in.</summary>
    public string? UserId => _parts.Identity.UserId;

    /// <summary>The id of the user's Contact Zero (local only, never synced).</summary>
    public string? ContactZeroId => _parts.Identity.ContactZeroId;

    /// <summary>The bearer token sent with sync requests. Set by signup and login; the app may set it (e.g. after its own refresh).</summary>
    public string? AccessToken
    {
        get => _parts.Tokens.Current;
        set => _parts.Tokens.Current = value;
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

    internal LocalDatabase Database => _parts.Database;

    /// <summary>When the idle loop will next wake on its own (null while it syncs or is stopped); lets tests step a fake clock safely.</summary>
    internal DateTimeOffset? LoopWaitingUntil => _parts.Loop.WaitingUntil;

    /// <summary>Raised whenever <see cref="State"/> changes (status, counts, last sync). Handlers run on the thread that made the change.</summary>
    public event EventHandler<SyncStateEventArgs>? StatusChanged
    {
        add => _parts.Events.StatusChanged += value;
        remove => _parts.Events.StatusChanged -= value;
    }

    /// <summary>Raised once when the device has been out of sync for longer than <see cref="SyncClientOptions.StaleAfter"/>, again after the next success.</summary>
    public event EventHandler<SyncStateEventArgs>? StaleWarning
    {
        add => _parts.Events.StaleWarning += value;
        remove => _parts.Events.StaleWarning -= value;
    }

    /// <summary>Progress of pulls, pushes and document syncs.</summary>
    public event EventHandler<SyncProgressEventArgs>? ProgressChanged
    {
        add => _parts.Events.ProgressChanged += value;
        remove => _parts.Events.ProgressChanged -= value;
    }

    /// <summary>A pull changed an entity the app shows ("updated on another device").</summary>
    public event EventHandler<RemoteChangeEventArgs>? EntityChangedRemotely
    {
        add => _parts.Events.EntityChangedRemotely += value;
        remove => _parts.Events.EntityChangedRemotely -= value;
    }

    /// <summary>
    /// A pull brought more changes from other devices than <see cref="SyncClientOptions.NotificationSummaryThreshold"/>:
    /// raised once instead of <see cref="EntityChangedRemotely"/> for each.
    /// </summary>
    public event EventHandler<RemoteChangesSummaryEventArgs>? RemoteChangesSummarized
    {
        add => _parts.Events.RemoteChangesSummarized += value;
        remove => _parts.Events.RemoteChangesSummarized -= value;
    }

    /// <summary>A push met a conflict; it is stored locally (<see cref="GetConflictsAsync"/>).</summary>
    public event EventHandler<ConflictEventArgs>? ConflictDetected
    {
        add => _parts.Events.ConflictDetected += value;
        remove => _parts.Events.ConflictDetected -= value;
    }

    /// <summary>The server refused a change; it left the outbox (<see cref="GetRejectedChangesAsync"/>).</summary>
    public event EventHandler<ChangeRejectedEventArgs>? ChangeRejected
    {
        add => _parts.Events.ChangeRejected += value;
        remove => _parts.Events.ChangeRejected -= value;
    }

    /// <summary>The server refused a note's update for good; the note's edits stay on the device.</summary>
    public event EventHandler<DocumentSyncFailedEventArgs>? DocumentSyncFailed
    {
        add => _parts.Events.DocumentSyncFailed += value;
        remove => _parts.Events.DocumentSyncFailed -= value;
    }

    /// <summary>Past the month's cellular budget (<see cref="SyncClientOptions.CellularMonthlyBudgetBytes"/>): raised once a month.</summary>
    public event EventHandler<BandwidthBudgetEventArgs>? BandwidthBudgetExceeded
    {
        add => _parts.Events.BandwidthBudgetExceeded += value;
        remove => _parts.Events.BandwidthBudgetExceeded -= value;
    }

    /// <summary>The indicator's current state.</summary>
    public SyncState State => _parts.Status.State;

    /// <summary>True while the background loop runs.</summary>
    public bool IsRunning => _parts.Loop.IsRunning;

    /// <summary>
    /// Starts the sync loop over <see cref="SyncNowAsync"/>: a sync at once (start-up pull), then one
    /// <see cref="SyncClientOptions.DebounceDelay"/> after local writes, one every
    /// <see cref="SyncClientOptions.PullInterval"/>, and on <see cref="RequestSync"/>. After a failure it
    /// waits 2, 4, 8, 16, 32 s, then about 32 s each time. A schema mismatch stops it (the app must
    /// update). Every wait is on the injected <see cref="TimeProvider"/>.
    /// </summary>
    public void Start()
    {
        _parts.Loop.Start();
        _parts.LiveSockets.StartAll();
    }

    /// <summary>Stops the loop after the step it is in (the step is cancelled).</summary>
    public async Task StopAsync()
    {
        await _parts.LiveSockets.StopAllAsync();
        await _parts.Loop.StopAsync();
    }

    /// <summary>Asks the loop to sync now (on demand; e.g. on a live change notification).</summary>
    public void RequestSync() => _parts.Trigger.Request();

    /// <summary>
    /// One sync step (DESIGN 5.3): pull everything new, push the whole outbox in batches, pull again if
    /// anything was pushed, then sync the note bodies that need it (edited here and not yet synced, open,
    /// opened since the last step, or named by a live event). Deterministic: no timers, no threads of its
    /// own; a simulation drives the client with it.
    /// Throws the first <see cref="SyncException"/> (the state shows it); what was committed stays.
    /// </summary>
    public Task<SyncResult> SyncNowAsync(CancellationToken cancellationToken = default) => _parts.Step.RunAsync(cancellationToken);

    /// <summary>Pulls only (every page after the cursor). Returns the number of changes applied.</summary>
    public Task<int> PullAsync(CancellationToken cancellationToken = default) => _parts.Step.PullAsync(cancellationToken);

    /// <summary>Pushes only (the whole outbox, in batches). Returns the number of changes the server accepted.</summary>
    public Task<int> PushAsync(CancellationToken cancellationToken = default) => _parts.Step.PushAsync(cancellationToken);

    /// <summary>Creates the account on the server, then this device's Contact Zero from the answer (DESIGN 5.4).</summary>
    public Task<AuthResponse> SignupAsync(string email, string password, string? displayName = null, CancellationToken cancellationToken = default) =>
        _parts.Account.SignupAsync(email, password, displayName, cancellationToken);

    /// <summary>Logs in; on a device new to the account, creates its Contact Zero.</summary>
    public Task<AuthResponse> LoginAsync(string email, string password, CancellationToken cancellationToken = default) =>
        _parts.Account.LoginAsync(email, password, cancellationToken);

    /// <summary>
    /// Binds this database to the account of a signup or login answer: stores the user and Contact Zero
    /// ids, keeps the token, and creates Contact Zero locally if it is missing. Contact Zero is never
    /// queued, pushed or pulled. A database belongs to one account: another user's answer is refused.
    /// </summary>
    public Task UseAccountAsync(AuthResponse auth, string? displayName = null, string? email = null, CancellationToken cancellationToken = default) =>
        _parts.Account.BindAsync(auth, displayName, email, cancellationToken);

    /// <summary>Conflicts stored on this device: those needing review (open), or all of them. Works offline.</summary>
    public Task<IReadOnlyList<SyncConflict>> GetConflictsAsync(bool includeClosed = false, CancellationToken cancellationToken = default) =>
        Task.FromResult(_parts.Conflicts.List(includeClosed));

    /// <summary>Resolves a conflict with the values this device pushed (needs the server).</summary>
    public Task KeepLocalAsync(string conflictId, CancellationToken cancellationToken = default) =>
        _parts.Conflicts.ResolveAsync(conflictId, ResolutionChoices.KeepLocal, null, cancellationToken);

    /// <summary>Resolves a conflict with the values the change met (needs the server).</summary>
    public Task UseRemoteAsync(string conflictId, CancellationToken cancellationToken = default) =>
        _parts.Conflicts.ResolveAsync(conflictId, ResolutionChoices.UseRemote, null, cancellationToken);

    /// <summary>Resolves a conflict with the given field values (a JSON object; those fields only; needs the server).</summary>
    public Task MergeAsync(string conflictId, JsonElement values, CancellationToken cancellationToken = default) =>
        _parts.Conflicts.ResolveAsync(conflictId, ResolutionChoices.Merged, values, cancellationToken);

    /// <summary>
    /// Fetches every conflict the server holds for the account (those of other devices too) and stores
    /// them, so statuses resolved elsewhere show here. Returns how many conflicts are open.
    /// </summary>
    public Task<int> RefreshConflictsAsync(CancellationToken cancellationToken = default) => _parts.Conflicts.RefreshAsync(cancellationToken);

    /// <summary>Changes the server refused, newest first (they are no longer in the outbox).</summary>
    public Task<IReadOnlyList<RejectedChange>> GetRejectedChangesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RejectedChange>>(_parts.Database.Reader.RejectedChanges());

    /// <summary>The network the device is on; the app sets it when it changes. Metering and the cellular policy go by it. Default unknown.</summary>
    public NetworkKind NetworkKind
    {
        get => _parts.Bandwidth.Network;
        set => _parts.Bandwidth.Network = value;
    }

    /// <summary>The bytes synced on <paramref name="kind"/> in the calendar month (UTC) of <paramref name="month"/> (default: now). Persisted across restarts.</summary>
    public BandwidthUsage GetBandwidthUsage(NetworkKind kind, DateTimeOffset? month = null) => _parts.Bandwidth.Usage(kind, month);

    /// <summary>True while the cellular policy holds back note bodies and large pulls.</summary>
    public bool IsDeferringLargeSyncs => _parts.Bandwidth.IsDeferringLargeSyncs;

    /// <summary>Writes Contact Zero (and with <paramref name="includeReferences"/> every entity that points at it) as a UTF-8 JSON file.</summary>
    public Task<byte[]> ExportContactZeroAsync(bool includeReferences = true, CancellationToken cancellationToken = default) =>
        _parts.ContactZero.ExportAsync(includeReferences);

    /// <summary>Reads a file from <see cref="ExportContactZeroAsync"/> for the merge form. Throws <see cref="ContactZeroFormatException"/> on anything else or a newer format.</summary>
    public ContactZeroImport ReadContactZeroFile(byte[] file) => _parts.ContactZero.Read(file);

    /// <summary>
    /// Merges an imported Contact Zero into this account's: each field named in <paramref name="choices"/> as
    /// <see cref="ContactZeroChoice.UseImported"/> takes the imported value, the others keep this account's.
    /// The file's entities are created here with the old id rewritten to this account's Contact Zero (one whose
    /// id is already on this device is skipped); they sync as ordinary entities, Contact Zero never does.
    /// </summary>
    public Task<ContactZeroImportResult> ImportContactZeroAsync(
        ContactZeroImport import, IReadOnlyDictionary<string, ContactZeroChoice> choices, CancellationToken cancellationToken = default) =>
        _parts.ContactZero.ImportAsync(import, choices, cancellationToken);

    public ValueTask DisposeAsync() => _parts.DisposeAsync();
}
