using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The notes open on this device: one live <see cref="YDoc"/> per note, shared by its handles and the sync
/// step, each local transaction appended to the note's log before it returns; and the notes wanted in the
/// next step (opened, or named by a live event). It owns both behind one lock.
/// </summary>
internal sealed class DocumentRegistry(
    LocalDatabase db, TimeProvider time, SyncClientOptions options, Random random, EntityWriter writer, SyncTrigger trigger, SyncStatusTracker status)
{
    /// <summary>The origin of the transactions that apply what the server sent: the sync step stores those itself.</summary>
    public static readonly object ServerOrigin = new();

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LiveDocument> _liveDocuments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Want> _wanted = new(StringComparer.Ordinal);
    private long _wantTicket;

    /// <summary>A note to sync in the next step: opened (no version), or named by a live event with the server's sync_version.</summary>
    public readonly record struct Want(long Ticket, long? Version);

    /// <summary>A handle was opened on the note (after its load and compaction): the live sockets attach here.</summary>
    public event Action<LiveDocument>? HandleOpened;

    /// <summary>The note's document is closing (its last handle, or the client): the live sockets detach here.</summary>
    public event Action<LiveDocument>? Detaching;

    public async Task<NoteDocument> OpenAsync(string noteId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(noteId);
        var (live, loaded) = Acquire(noteId, forHandle: true);
        var handle = new NoteDocument(this, live);
        try
        {
            if (loaded && live.LoadedRows > options.DocumentLogCompactionUpdates)
            {
                await CompactAsync(live, cancellationToken);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        HandleOpened?.Invoke(live);
        trigger.Request();
        return handle;
    }

    /// <summary>
    /// The note's live document, loaded from its log when there is none, claimed in the same lock that found
    /// or added it (a handle, or the sync step's mark), so that no close can detach it in between.
    /// <c>Loaded</c> is true when this call loaded it.
    /// </summary>
    public (LiveDocument Live, bool Loaded) Acquire(string noteId, bool forHandle)
    {
        lock (_lock)
        {
            if (_liveDocuments.TryGetValue(noteId, out var existing))
            {
                Claim(existing, forHandle);
                return (existing, false);
            }
        }

        // Loaded outside the lock; the log only grows through a live document, so it cannot change meanwhile
        // unless another caller made one, in which case that one is used.
        var (updates, _) = db.Reader.DocumentLog(noteId);
        ulong clientId;
        int seed;
        lock (random)
        {
            clientId = (ulong)(uint)random.NextInt64(0, 1L << 32);
            seed = random.Next();
        }

        var doc = new YDoc(new YDocOptions { ClientId = clientId, Random = new Random(seed) });
        // Row by row: measured as fast as one apply of the merged log (10,000 blocks and 500 edits: about
        // 100 ms either way), without the merge's extra copy of the whole document.
        foreach (var update in updates)
        {
            doc.ApplyUpdate(update);
        }

        var live = new LiveDocument(noteId, doc, updates.Count) { Awareness = new NoteAwareness(clientId, time) };
        lock (_lock)
        {
            if (_liveDocuments.TryGetValue(noteId, out var raced))
            {
                Claim(raced, forHandle);
                return (raced, false);
            }

            live.Persist = (_, e) => PersistLocalUpdate(live, e);
            doc.UpdateV1 += live.Persist;
            _liveDocuments[noteId] = live;
            Claim(live, forHandle);
            return (live, true);
        }
    }

    /// <summary>Under the documents lock: a new handle (and a want for the next step), or the sync step's mark.</summary>
    private void Claim(LiveDocument live, bool forHandle)
    {
        if (forHandle)
        {
            live.Handles++;
            live.Context ??= SynchronizationContext.Current;
            _wanted[live.NoteId] = new Want(++_wantTicket, null);
        }
        else
        {
            live.Syncing = true;
        }
    }

    /// <summary>
    /// Appends a transaction's update to the note's log before the transaction returns (DESIGN 5.1 for
    /// documents: a crash loses no acknowledged edit). What the sync step applied is stored by the step.
    /// </summary>
    private void PersistLocalUpdate(LiveDocument live, YUpdateEventArgs e)
    {
        if (ReferenceEquals(e.Origin, ServerOrigin))
        {
            return;
        }

        // After a failed append the log may lack an earlier update: the whole state covers it.
        var update = live.PersistFailed ? live.Doc.EncodeStateAsUpdate() : e.Update;
        try
        {
            db.Write(w => w.AppendDocumentUpdate(live.NoteId, DocumentUpdateKinds.Local, update));
            live.PersistFailed = false;
        }
        catch
        {
            live.PersistFailed = true;
            throw;
        }

        writer.NoteQueued(time.GetUtcNow());
        status.Refresh();
    }

    /// <summary>A handle was disposed: the last one closes the document (unless a sync step still works on it).</summary>
    public void Release(LiveDocument live)
    {
        bool close;
        lock (_lock)
        {
            live.Handles--;
            close = live.Handles == 0 && !live.Syncing && _liveDocuments.GetValueOrDefault(live.NoteId) == live;
            if (close)
            {
                _liveDocuments.Remove(live.NoteId);
            }
        }

        if (close)
        {
            Detach(live);
        }
    }

    private void Detach(LiveDocument live)
    {
        Detaching?.Invoke(live);
        if (live.Persist is { } persist)
        {
            live.Doc.UpdateV1 -= persist;
            live.Persist = null;
        }
    }

    /// <summary>The notes a step should look at besides the unsynced ones: those with open handles, and the wanted ones.</summary>
    public (List<string> Open, List<KeyValuePair<string, Want>> Wanted) Candidates()
    {
        lock (_lock)
        {
            return ([.. _liveDocuments.Values.Where(l => l.Handles > 0).Select(l => l.NoteId)], [.. _wanted]);
        }
    }

    /// <summary>The newest want's ticket: wants up to it are settled by a sync that starts now.</summary>
    public long CurrentTicket
    {
        get
        {
            lock (_lock)
            {
                return _wantTicket;
            }
        }
    }

    /// <summary>The sync step is done with the document: it closes unless a handle is open.</summary>
    public void EndSync(LiveDocument live)
    {
        bool close;
        lock (_lock)
        {
            live.Syncing = false;
            close = live.Handles == 0 && _liveDocuments.GetValueOrDefault(live.NoteId) == live;
            if (close)
            {
                _liveDocuments.Remove(live.NoteId);
            }
        }

        if (close)
        {
            Detach(live);
        }
    }

    /// <summary>Wants the note in the next step and asks for one (its live socket dropped).</summary>
    public void WantNext(string noteId)
    {
        lock (_lock)
        {
            _wanted[noteId] = new Want(++_wantTicket, null);
        }

        trigger.Request();
    }

    /// <summary>The documents with an open handle.</summary>
    public List<LiveDocument> OpenDocuments()
    {
        lock (_lock)
        {
            return [.. _liveDocuments.Values.Where(l => l.Handles > 0)];
        }
    }

    /// <summary>The notes whose socket is live: the sync step only confirms their edits.</summary>
    public HashSet<string> LiveNoteIds()
    {
        lock (_lock)
        {
            return [.. _liveDocuments.Values.Where(l => l.IsLive).Select(l => l.NoteId)];
        }
    }

    /// <summary>Gives the document a connection unless it has one, has no handle or is closed; false when it did not.</summary>
    public bool TryAttach(LiveDocument live, Func<LiveNoteConnection> connect, out LiveNoteConnection? connection)
    {
        lock (_lock)
        {
            connection = null;
            if (live.Connection is not null || live.Handles == 0 || _liveDocuments.GetValueOrDefault(live.NoteId) != live)
            {
                return false;
            }

            connection = connect();
            live.Connection = connection;
            return true;
        }
    }

    /// <summary>Takes the document's connection off it (null when it had none).</summary>
    public LiveNoteConnection? TakeConnection(LiveDocument live)
    {
        lock (_lock)
        {
            var connection = live.Connection;
            live.Connection = null;
            return connection;
        }
    }

    /// <summary>Takes every document's connection off it.</summary>
    public List<LiveNoteConnection> TakeAllConnections()
    {
        List<LiveNoteConnection> connections = [];
        lock (_lock)
        {
            foreach (var live in _liveDocuments.Values)
            {
                if (live.Connection is { } connection)
                {
                    connections.Add(connection);
                    live.Connection = null;
                }
            }
        }

        return connections;
    }

    /// <summary>Closes every document (the client is being disposed): later edits are not stored.</summary>
    public void CloseAll()
    {
        List<LiveDocument> all;
        lock (_lock)
        {
            all = [.. _liveDocuments.Values];
            _liveDocuments.Clear();
        }

        foreach (var live in all)
        {
            Detach(live);
        }
    }

    public IReadOnlyList<string> OpenNoteIds()
    {
        lock (_lock)
        {
            return _liveDocuments.Values.Where(l => l.Handles > 0).Select(l => l.NoteId).Order(StringComparer.Ordinal).ToArray();
        }
    }

    public async Task<byte[]> GetStateAsync(string noteId)
    {
        LiveDocument? live;
        lock (_lock)
        {
            _liveDocuments.TryGetValue(noteId, out live);
        }

        if (live is not null)
        {
            return await live.RunAsync(() => live.Doc.EncodeStateAsUpdate());
        }

        var (updates, _) = db.Reader.DocumentLog(noteId);
        return updates.Count switch
        {
            0 => DocumentStore.EmptyUpdate,
            1 => updates[0],
            _ => YUpdate.MergeUpdates(updates),
        };
    }

    /// <summary>A live <c>doc</c> event: the note syncs in the next step if the device holds it and has an older version.</summary>
    public void OnDocumentEvent(string data)
    {
        if (!DocumentEvent.TryParse(data, out var noteId, out var version) || !IsNews(noteId, version))
        {
            return;
        }

        lock (_lock)
        {
            if (_liveDocuments.TryGetValue(noteId, out var live) && live.IsLive)
            {
                return; // its socket brings the change itself: no step (no pull) per keystroke of another device
            }

            _wanted[noteId] = new Want(++_wantTicket, version);
        }

        trigger.Request();
    }

    /// <summary>True when the device holds the note (open, or stored) and has seen an older version than <paramref name="version"/>.</summary>
    public bool IsNews(string noteId, long version)
    {
        bool open;
        lock (_lock)
        {
            open = _liveDocuments.ContainsKey(noteId);
        }

        var row = db.Reader.Document(noteId);
        return (open || row is not null) && (row?.SyncVersion ?? 0) < version;
    }

    public void Unwant(string noteId, long upToTicket)
    {
        lock (_lock)
        {
            if (_wanted.TryGetValue(noteId, out var want) && want.Ticket <= upToTicket)
            {
                _wanted.Remove(noteId);
            }
        }
    }

    /// <summary>Replaces the note's log by the document's state (every row of the log is in the live document).</summary>
    public async Task CompactAsync(LiveDocument live, CancellationToken cancellationToken)
    {
        var (state, upTo) = await live.RunAsync(() => (live.Doc.EncodeStateAsUpdate(), db.Reader.DocumentLastSeq(live.NoteId)));
        if (upTo > 0)
        {
            await db.WriteAsync(w => w.CompactDocumentLog(live.NoteId, upTo, state), cancellationToken);
        }
    }
}
