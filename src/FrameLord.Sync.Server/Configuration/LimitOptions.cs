namespace FrameLord.Sync.Server.Configuration;

/// <summary>Configuration section <c>Limits</c> (DESIGN 8). Every limit answers as the contract says, never with a 500.</summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body, compressed and after decompression. Default 10 MiB (413 above).</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Most changes in one push. Default 1,000 (400 above).</summary>
    public int MaxChangesPerPush { get; set; } = 1000;

    /// <summary>
    /// Largest entity as stored after a change: its JSON plus its per-field stamps (the LWW metadata kept per
    /// field), in UTF-8 bytes. Default 256 KiB (the change fails with ENTITY_TOO_LARGE; a resolution answers 413).
    /// </summary>
    public int MaxEntityBytes { get; set; } = 256 * 1024;

    /// <summary>Largest Yjs update in one document sync. Default 10 MiB (413 above).</summary>
    public int MaxYjsUpdateBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Largest note document, counted as its stored snapshot plus its log of updates not yet compacted.
    /// Default 64 MiB. A sync whose update would take the note past it is refused with 413
    /// PAYLOAD_TOO_LARGE and stores nothing; reading the note (a sync without an update) still works.
    /// </summary>
    public long MaxDocumentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Pull page size when the request gives none. Default 500.</summary>
    public int DefaultPullLimit { get; set; } = 500;

    /// <summary>Largest pull page; larger requests are capped. Default 1,000.</summary>
    public int MaxPullLimit { get; set; } = 1000;

    /// <summary>
    /// Entity bytes (UTF-8 JSON) after which a pull page stops early with <c>has_more: true</c>; a page always
    /// holds at least one entity. Default 8 MiB (no error: the client pulls the next page).
    /// </summary>
    public long MaxPullPageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Conflict bytes (UTF-8 JSON) after which a conflicts listing page stops early with <c>has_more: true</c>;
    /// a page always holds at least one conflict. Default 8 MiB (no error: the client asks for the next page).
    /// </summary>
    public long MaxConflictsPageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Conflicts listing page size when the request gives none. Default 100.</summary>
    public int DefaultConflictsLimit { get; set; } = 100;

    /// <summary>Largest conflicts listing page; larger requests are capped. Default 500.</summary>
    public int MaxConflictsLimit { get; set; } = 500;

    /// <summary>Deepest JSON nesting, counted from the request root. Default 64 (400 deeper).</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Requests per user (or per address, before login) per minute. Default 600 (429 above).</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Longest ids (entity, change, device, conflict, note), in UTF-16 units. Default 200.</summary>
    public int MaxIdLength { get; set; } = 200;

    /// <summary>
    /// An over-limit body up to this size is still read and discarded after its 413 is written, so the
    /// client, still sending, receives the answer instead of a reset connection. Longer bodies get the
    /// 413 and then the connection is closed. Default 64 MiB.
    /// </summary>
    public long MaxDiscardedBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Slowest request body a connection may send, in bytes per second, after a 5 s grace period;
    /// slower connections are closed (Kestrel answers 408 when it still can). Default 1,024.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 1024;

    /// <summary>Longest time to receive a request's headers; the connection is closed after it. Default 10 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this. Default 60 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Open connections the server accepts at once; more are refused at accept. Default 4,096; 0 means unlimited.</summary>
    public long MaxConcurrentConnections { get; set; } = 4096;

    /// <summary>
    /// Requests in flight at once from one address without a valid token (and every signup or login,
    /// whatever token it carries). Default 16; more get 429 <c>RATE_LIMITED</c> with <c>Retry-After: 1</c>.
    /// </summary>
    public int MaxConcurrentAnonymousRequestsPerAddress { get; set; } = 16;

    /// <summary>
    /// Signups plus logins per address per minute, whatever token the caller carries. Default 60; over it
    /// 429 <c>RATE_LIMITED</c> with <c>Retry-After</c>.
    /// </summary>
    public int AuthRequestsPerAddressPerMinute { get; set; } = 60;

    /// <summary>
    /// Failed logins per email within <see cref="FailedLoginWindow"/>, from any address. Default 10; past it
    /// every login for that email gets 429 <c>RATE_LIMITED</c> with <c>Retry-After</c> until the window ends,
    /// even with the right password.
    /// </summary>
    public int FailedLoginsPerEmail { get; set; } = 10;

    /// <summary>The window the failed logins of one email are counted in, from the first failure. Default 15 minutes.</summary>
    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Password hashes (signup, login) computed at once. Default 0: the processor count. A request past
    /// it waits up to <see cref="PasswordHashWait"/> for a slot, then gets 503 <c>SERVICE_UNAVAILABLE</c>
    /// with <c>Retry-After: 1</c>, so a flood of logins cannot take every core from syncs.
    /// </summary>
    public int MaxConcurrentPasswordHashes { get; set; }

    /// <summary>How long a signup or login waits for a password hashing slot before its 503. Default 2 s.</summary>
    public TimeSpan PasswordHashWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Open live event streams per user (DESIGN 3.6). Default 10; an eleventh closes the oldest.</summary>
    public int MaxEventStreamsPerUser { get; set; } = 10;

    /// <summary>Open WebSockets per user, y-websocket and Hocuspocus together (DESIGN 3.8). Default 50; one more is closed with 4429.</summary>
    public int MaxSocketsPerUser { get; set; } = 50;

    /// <summary>
    /// Messages one WebSocket may send per second, sustained (twice as many in a burst). Default 100. Past it the
    /// server reads the socket's next message only when the budget allows (nothing is closed or dropped), so a
    /// flood of small messages cannot buy unbounded store, fan-out or document work. A message the server answers
    /// from stored state (a sync step 1, a query for awareness) also counts one message per 16 KiB of its answer.
    /// </summary>
    public int SocketMessagesPerSecond { get; set; } = 100;

    /// <summary>
    /// Bytes of one awareness update (cursors, presence; never stored). Default 64 KiB; a larger one closes the
    /// socket with 1009, as a message over <see cref="MaxYjsUpdateBytes"/> does: each is sent on to every socket of the note.
    /// </summary>
    public int MaxAwarenessBytes { get; set; } = 64 * 1024;
}
