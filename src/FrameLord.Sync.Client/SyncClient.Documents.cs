using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>The origin of the transactions that apply what the server sent: the sync step stores those itself.</summary>
    private static readonly object s_serverOrigin = new();

    private readonly Lock _documentsLock = new();
    private readonly Dictionary<string, LiveDocument> _liveDocuments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Want> _wanted = new(StringComparer.Ordinal);
    private long _wantTicket;

    /// <summary>A note to sync in the next step: opened (no version), or named by a live event with the server's sync_version.</summary>
    private readonly record struct Want(long Ticket, long? Version);

    /// <summary>The server refused a note's update for good; the note's edits stay on the device.</summary>
    public event EventHandler<DocumentSyncFailedEventArgs>? DocumentSyncFailed
    {
        add => _events.DocumentSyncFailed += value;
        remove => _events.DocumentSyncFailed -= value;
    }

    internal async Task<NoteDocument> OpenDocumentAsync(string noteId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(noteId);
        var (live, loaded) = Acquire(noteId, forHandle: true);
        var handle = new NoteDocument(this, live);
        try
        {
            if (loaded && live.LoadedRows > _options.DocumentLogCompactionUpdates)
            {
                await CompactAsync(live, cancellationToken);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        StartLiveConnection(live);
        RequestSync();
        return handle;
    }

    /// <summary>
    /// The note's live document, loaded from its log when there is none, claimed in the same lock that found
    /// or added it (a handle, or the sync step's mark), so that no close can detach it in between.
    /// <c>Loaded</c> is true when this call loaded it.
    /// </summary>
    private (LiveDocument Live, bool Loaded) Acquire(string noteId, bool forHandle)
    {
        lock (_documentsLock)
        {
            if (_liveDocuments.TryGetValue(noteId, out var existing))
            {
                Claim(existing, forHandle);
                return (existing, false);
            }
        }

        // Loaded outside the lock; the log only grows through a live document, so it cannot change meanwhile
        // unless another caller made one, in which case that one is used.
        var (updates, _) = _db.Reader.DocumentLog(noteId);
        ulong clientId;
        int seed;
        lock (_random)
        {
            clientId = (ulong)(uint)_random.NextInt64(0, 1L << 32);
            seed = _random.Next();
        }

        var doc = new YDoc(new YDocOptions { ClientId = clientId, Random = new Random(seed) });
        // Row by row: measured as fast as one apply of the merged log (10,000 blocks and 500 edits: about
        // 100 ms either way), without the merge's extra copy of the whole document.
        foreach (var update in updates)
        {
            doc.ApplyUpdate(update);
        }

        var live = new LiveDocument(noteId, doc, updates.Count) { Awareness = new NoteAwareness(clientId, _time) };
        lock (_documentsLock)
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
        if (ReferenceEquals(e.Origin, s_serverOrigin))
        {
            return;
        }

        // After a failed append the log may lack an earlier update: the whole state covers it.
        var update = live.PersistFailed ? live.Doc.EncodeStateAsUpdate() : e.Update;
        try
        {
            _db.Write(w => w.AppendDocumentUpdate(live.NoteId, DocumentUpdateKinds.Local, update));
            live.PersistFailed = false;
        }
        catch
        {
            live.PersistFailed = true;
            throw;
        }

        _writer.NoteQueued(_time.GetUtcNow());
        RefreshState();
    }

    /// <summary>A handle was disposed: the last one closes the document (unless a sync step still works on it).</summary>
    internal void ReleaseDocument(LiveDocument live)
    {
        bool close;
        lock (_documentsLock)
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
        StopLiveConnection(live);
        if (live.Persist is { } persist)
        {
            live.Doc.UpdateV1 -= persist;
            live.Persist = null;
        }
    }

    /// <summary>Closes every document (the client is being disposed): later edits are not stored.</summary>
    private void CloseAllDocuments()
    {
        List<LiveDocument> all;
        lock (_documentsLock)
        {
            all = [.. _liveDocuments.Values];
            _liveDocuments.Clear();
        }

        foreach (var live in all)
        {
            Detach(live);
        }
    }

    internal IReadOnlyList<string> OpenNoteIds()
    {
        lock (_documentsLock)
        {
            return _liveDocuments.Values.Where(l => l.Handles > 0).Select(l => l.NoteId).Order(StringComparer.Ordinal).ToArray();
        }
    }

    internal async Task<byte[]> GetDocumentStateAsync(string noteId)
    {
        LiveDocument? live;
        lock (_documentsLock)
        {
            _liveDocuments.TryGetValue(noteId, out live);
        }

        if (live is not null)
        {
            return await live.RunAsync(() => live.Doc.EncodeStateAsUpdate());
        }

        var (updates, _) = _db.Reader.DocumentLog(noteId);
        return updates.Count switch
        {
            0 => DocumentStore.EmptyUpdate,
            1 => updates[0],
            _ => YUpdate.MergeUpdates(updates),
        };
    }
}
