namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// The storage contract. Every implementation keys every table and query by user id, runs one
/// write session as one database transaction, and serializes write sessions of one user so the
/// change sequence is assigned in commit order (which is what makes keyset paging by seq safe).
/// </summary>
public interface ISyncStore : IAccountStore, IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string ProviderName { get; }

    /// <summary>Creates or migrates the schema and records its version. Safe to call from several processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The schema version <see cref="InitializeAsync"/> migrates to: the number of this store's migrations.</summary>
    int LatestSchemaVersion { get; }

    /// <summary>The schema version recorded in the database.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>True when a trivial query succeeds.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    /// <summary>Creates the user; false when the email is taken.</summary>
    Task<bool> TryCreateUserAsync(UserRecord user, CancellationToken cancellationToken);

    Task<UserRecord?> FindUserByEmailAsync(string normalizedEmail, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a transaction and locks the user's row (serializing writers of that user).
    /// Throws <see cref="UnknownUserException"/> when the user does not exist.
    /// </summary>
    Task<IWriteSession> BeginWriteAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Entities with seq &gt; <paramref name="afterSeq"/> (and changed at or after <paramref name="since"/>), in seq
    /// order: at most <paramref name="limit"/> rows, and no more once their data adds up to <paramref name="maxBytes"/>
    /// (UTF-8 bytes of data_json; the first row always comes). Throws <see cref="UnknownUserException"/> for a
    /// user without a row.
    /// </summary>
    Task<ChangePage> ReadChangesAsync(string userId, long afterSeq, int limit, long maxBytes, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> of the user's conflicts (open ones only when <paramref name="openOnly"/>)
    /// ordered by (created_at, conflict_id), strictly after <paramref name="after"/> when given (keyset paging),
    /// and none that starts past <paramref name="maxBytes"/> of conflict_json (UTF-8 bytes) except the first two.
    /// </summary>
    Task<IReadOnlyList<ConflictRow>> ListConflictsAsync(
        string userId, bool openOnly, int limit, long maxBytes, ConflictPosition? after, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes tombstones last changed before <paramref name="tombstonesBefore"/> (raising each user's
    /// purged seq, so older cursors get 410) and recorded outcomes older than <paramref name="outcomesBefore"/>.
    /// </summary>
    Task<PurgeResult> PurgeAsync(DateTimeOffset tombstonesBefore, DateTimeOffset outcomesBefore, CancellationToken cancellationToken);

    /// <summary>A document's head without its snapshot or log, or null when it has none.</summary>
    Task<DocumentHead?> ReadDocumentHeadAsync(string userId, string noteId, CancellationToken cancellationToken);

    /// <summary>Head, log and (when <paramref name="includeSnapshot"/>) snapshot from one consistent read; null when none.</summary>
    Task<DocumentView?> ReadDocumentAsync(string userId, string noteId, bool includeSnapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Appends an update in one transaction: creates the document if needed, locks it, sets its state
    /// vector and delete set to <paramref name="advance"/> applied to the current ones, and bumps its sync version.
    /// Returns the document as the same transaction leaves it: head, log after the snapshot, and the
    /// snapshot when <paramref name="includeSnapshot"/> (so a sync needs no second read).
    /// <paramref name="seen"/> is the head the caller read before, if any: a store may apply
    /// <paramref name="advance"/> to it and write only if the document has not moved since (its sync
    /// version unchanged), which spares it the locking read; otherwise it reads and locks the row as above.
    /// </summary>
    Task<DocumentView> AppendDocumentUpdateAsync(string userId, string noteId, byte[] update, DocumentHead? seen,
        Func<DocumentState, DocumentState> advance, bool includeSnapshot, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="updates"/> (at least one) in order as consecutive log entries in one transaction,
    /// as <see cref="AppendDocumentUpdateAsync"/> does for one (the head moves by <paramref name="advance"/>, the
    /// sync version by one per update, <paramref name="seen"/> may spare the locking read), but reads back only
    /// the head and the stored size, never the log or the snapshot: a live socket's append needs no answer.
    /// </summary>
    Task<DocumentAppend> AppendDocumentUpdatesAsync(string userId, string noteId, IReadOnlyList<byte[]> updates, DocumentHead? seen,
        Func<DocumentState, DocumentState> advance, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Installs a compacted snapshot and deletes the log it folded, in one transaction, unless another
    /// compaction got there first (the snapshot seq moved); returns whether it was installed.
    /// </summary>
    Task<bool> ReplaceDocumentSnapshotAsync(string userId, string noteId, DocumentSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The bytes a document holds in storage: its snapshot plus its log (0 when it has none).</summary>
    Task<long> ReadDocumentSizeAsync(string userId, string noteId, CancellationToken cancellationToken);
}

/// <summary>One write transaction of one user. Dispose without <see cref="CommitAsync"/> rolls back.</summary>
public interface IWriteSession : IAsyncDisposable
{
    UserRecord User { get; }

    /// <summary>The user's change sequence when the session began.</summary>
    long CurrentSeq { get; }

    Task<IReadOnlyDictionary<string, OutcomeRow>> LoadOutcomesAsync(string deviceId, IReadOnlyCollection<string> changeIds, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<EntityKey, EntityRow>> LoadEntitiesAsync(IReadOnlyCollection<EntityKey> keys, CancellationToken cancellationToken);

    /// <summary>The user's conflict, or null (also for another user's conflict id).</summary>
    Task<ConflictRow?> LoadConflictAsync(string conflictId, CancellationToken cancellationToken);

    /// <summary>
    /// The user's conflicts recorded for one device and entity at one server time: those of one push
    /// (what a conflict's <c>winner_ref</c> points among).
    /// </summary>
    Task<IReadOnlyList<ConflictRow>> LoadConflictsRecordedWithAsync(ConflictRow conflict, CancellationToken cancellationToken);

    Task SaveAsync(WriteSet writes, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
