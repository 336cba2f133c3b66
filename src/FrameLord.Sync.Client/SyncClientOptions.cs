using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>Settings of a <see cref="SyncClient"/>. Defaults are the contract's (DESIGN 5).</summary>
public sealed class SyncClientOptions
{
    /// <summary>The device's SQLite file (created if missing). One file per device and account.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The server's root for the default HTTP transport. Required unless <see cref="Transport"/> is given.</summary>
    public Uri? ServerUri { get; init; }

    /// <summary>The transport; default <see cref="HttpSyncTransport"/> to <see cref="ServerUri"/>.</summary>
    public ISyncTransport? Transport { get; init; }

    /// <summary>All time: client timestamps, debounce, pull interval, backoff. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>All randomness: device and entity ids, backoff jitter. Default an unseeded <see cref="System.Random"/>; seed it for a simulation.</summary>
    public Random? Random { get; init; }

    /// <summary>The device id for a new database; default generated (<c>dev_</c> and 32 hex digits). An existing database keeps its own.</summary>
    public string? DeviceId { get; init; }

    /// <summary>Sent as <c>client_version</c>. Default "1.0.0".</summary>
    public string ClientVersion { get; init; } = "1.0.0";

    /// <summary>Sent as <c>schema_version</c>. Default <see cref="SchemaVersions.Current"/>.</summary>
    public string SchemaVersion { get; init; } = SchemaVersions.Current;

    /// <summary>The sync loop pushes this long after the last local write. Default 2 s.</summary>
    public TimeSpan DebounceDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Under a steady stream of writes, the loop still pushes this long after the first unpushed one. Default 10 s.</summary>
    public TimeSpan MaxDebounceDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The sync loop pulls this often. Default 30 s.</summary>
    public TimeSpan PullInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Changes per push. Default 100 (the server takes at most 1,000).</summary>
    public int PushBatchSize { get; init; } = 100;

    /// <summary>
    /// The server's per-change entity limit (DESIGN 8, the server's <c>Limits:MaxEntityBytes</c>), in bytes of
    /// the change's JSON. A change the server answers with 413 when sent alone is refused (it leaves the outbox)
    /// only when it is over this limit; below it the 413 is the request's (a proxy's or an operator's lower
    /// body limit) and the change is kept and retried. Default 256 KiB.
    /// </summary>
    public int MaxEntityBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// The most <see cref="SyncClient.EntityChangedRemotely"/> events one pull raises; a pull that brings more
    /// raises one <see cref="SyncClient.RemoteChangesSummarized"/> instead. Default 20.
    /// </summary>
    public int NotificationSummaryThreshold { get; init; } = 20;

    /// <summary>Bytes a month on cellular past which <see cref="SyncClient.BandwidthBudgetExceeded"/> is raised. Default 100 MB (100,000,000 bytes).</summary>
    public long CellularMonthlyBudgetBytes { get; init; } = 100_000_000;

    /// <summary>
    /// On cellular past the month's budget: note bodies wait (for another network or the next month) and a
    /// pull stops after a page that leaves more than <see cref="LargePullChanges"/> changes; pushes still go.
    /// Default true.
    /// </summary>
    public bool DeferLargeSyncsOverCellularBudget { get; init; } = true;

    /// <summary>A pull with more changes left than this is large (<see cref="DeferLargeSyncsOverCellularBudget"/>). Default 1,000.</summary>
    public long LargePullChanges { get; init; } = 1000;

    /// <summary>Changes per pull page. Default 500 (the server caps it at 1,000).</summary>
    public int PullPageSize { get; init; } = 500;

    /// <summary>
    /// Changes per pull page while the app is writing (a local write in the last <see cref="DebounceDelay"/>):
    /// each page is applied in one transaction, and small pages keep local writes from waiting behind it.
    /// Default 50.
    /// </summary>
    public int InteractivePullPageSize { get; init; } = 50;

    /// <summary>Delays between failed attempts: 2, 4, 8, 16, 32 s, then the last one again with <see cref="RetryJitter"/>.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } =
        [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(32)];

    /// <summary>Spread of the repeated last delay: ±this fraction. Default 0.2.</summary>
    public double RetryJitter { get; init; } = 0.2;

    /// <summary>Out of sync for longer than this raises <see cref="SyncClient.StaleWarning"/>. Default 7 days.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Called on 401 (the access token expired or was refused) to get a new token; the same request is
    /// then sent again once. Null: a 401 fails the sync with <see cref="SyncStatus.Error"/>.
    /// </summary>
    public Func<CancellationToken, Task<string>>? RefreshAccessToken { get; init; }

    /// <summary>
    /// A note's local update log is compacted into one state update once it holds more than this many
    /// updates (checked when the note is opened and after it syncs). Default 500.
    /// </summary>
    public int DocumentLogCompactionUpdates { get; init; } = 500;

    /// <summary>
    /// Opens the live socket of each open note (DESIGN 3.8) while the sync loop runs. Default: a
    /// <see cref="Documents.Live.ClientWebSocketConnector"/> to <see cref="ServerUri"/> when that is given, else
    /// none (notes then sync by REST only). A simulation or a test plugs in its own.
    /// </summary>
    public Documents.Live.ILiveDocumentConnector? LiveDocuments { get; init; }

    /// <summary>False turns the live sockets off (notes sync by REST only). Default true.</summary>
    public bool UseLiveDocuments { get; init; } = true;

    /// <summary>
    /// False (default): each local write survives a crash of the app's process (SQLite WAL, synchronous
    /// NORMAL). True: it also survives power loss, at the price of an fsync per write.
    /// </summary>
    public bool DurableAgainstPowerLoss { get; init; }
}
