using System.Runtime.ExceptionServices;
using System.Text.Json;
using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

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
    public event EventHandler<DocumentSyncFailedEventArgs>? DocumentSyncFailed;

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
        var (updates, lastSeq) = _db.Read(c => DocumentReads.Log(c, noteId));
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

        var live = new LiveDocument(noteId, doc, lastSeq, updates.Count);
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

        var now = _time.GetUtcNow();
        lock (_stateLock)
        {
            _firstUnpushedWriteAt ??= now;
            _lastWriteAt = now;
        }

        WakeLoop();
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

    private static void Detach(LiveDocument live)
    {
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

        var (updates, _) = _db.Read(c => DocumentReads.Log(c, noteId));
        return updates.Count switch
        {
            0 => DocumentStore.EmptyUpdate,
            1 => updates[0],
            _ => YUpdate.MergeUpdates(updates),
        };
    }

    /// <summary>A live <c>doc</c> event: the note syncs in the next step if the device holds it and has an older version.</summary>
    private void OnDocumentEvent(string data)
    {
        string? noteId;
        long version;
        try
        {
            using var json = JsonDocument.Parse(data);
            noteId = json.RootElement.GetProperty("note_id").GetString();
            version = json.RootElement.GetProperty("sync_version").GetInt64();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return; // not the contract's shape: nothing to act on
        }

        if (string.IsNullOrEmpty(noteId) || !IsNews(noteId, version))
        {
            return;
        }

        lock (_documentsLock)
        {
            _wanted[noteId] = new Want(++_wantTicket, version);
        }

        RequestSync();
    }

    /// <summary>True when the device holds the note (open, or stored) and has seen an older version than <paramref name="version"/>.</summary>
    private bool IsNews(string noteId, long version)
    {
        bool open;
        lock (_documentsLock)
        {
            open = _liveDocuments.ContainsKey(noteId);
        }

        var row = _db.Read(c => DocumentReads.Get(c, noteId));
        return (open || row is not null) && (row?.SyncVersion ?? 0) < version;
    }

    /// <summary>
    /// The notes a sync step syncs, in id order: those with edits the server does not have (and did not
    /// refuse), those the app has open, those opened since the last step, and those named by a live event
    /// with a newer version than the device has. A note the device merely holds is not asked about.
    /// </summary>
    private List<string> SelectDocuments()
    {
        var notes = new SortedSet<string>(_db.Read(DocumentReads.Unsynced), StringComparer.Ordinal);
        List<KeyValuePair<string, Want>> wanted;
        lock (_documentsLock)
        {
            foreach (var live in _liveDocuments.Values)
            {
                if (live.Handles > 0)
                {
                    notes.Add(live.NoteId);
                }
            }

            wanted = [.. _wanted];
        }

        foreach (var (noteId, want) in wanted)
        {
            if (want.Version is not { } version || IsNews(noteId, version))
            {
                notes.Add(noteId);
            }
            else
            {
                Unwant(noteId, want.Ticket);
            }
        }

        return [.. notes];
    }

    private void Unwant(string noteId, long upToTicket)
    {
        lock (_documentsLock)
        {
            if (_wanted.TryGetValue(noteId, out var want) && want.Ticket <= upToTicket)
            {
                _wanted.Remove(noteId);
            }
        }
    }

    /// <summary>
    /// The documents part of a sync step: each selected note in turn. A transient failure ends the step (the
    /// loop retries with backoff); a refusal of one note is recorded and raised, and the others go on.
    /// Returns the number of notes synced.
    /// </summary>
    private async Task<int> SyncDocumentsCoreAsync(CancellationToken cancellationToken)
    {
        var notes = SelectDocuments();
        if (notes.Count == 0)
        {
            return 0;
        }

        Report(SyncPhase.Documents, 0, notes.Count);
        var synced = 0;
        for (var i = 0; i < notes.Count; i++)
        {
            try
            {
                await SyncDocumentCoreAsync(notes[i], force: false, cancellationToken);
                synced++;
            }
            catch (SyncTransportException e) when (IsRefusal(e))
            {
                await RecordRefusalAsync(notes[i], e);
            }

            Report(SyncPhase.Documents, i + 1, notes.Count);
        }

        return synced;
    }

    internal Task SyncDocumentNowAsync(string noteId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(noteId);
        return RunExclusiveAsync(async () =>
        {
            try
            {
                await SyncDocumentCoreAsync(noteId, force: true, cancellationToken);
            }
            catch (SyncTransportException e) when (IsRefusal(e))
            {
                await RecordRefusalAsync(noteId, e);
                throw;
            }

            RefreshState();
            return true;
        }, cancellationToken);
    }

    private static bool IsRefusal(SyncTransportException e) => !e.IsTransient && !e.IsUnauthorized && e is not SchemaMismatchException;

    private async Task RecordRefusalAsync(string noteId, SyncTransportException e)
    {
        await _db.WriteAsync(w =>
        {
            w.MarkDocumentFailed(noteId, e.Code, e.Message);
            return true;
        }, CancellationToken.None);
        DocumentSyncFailed?.Invoke(this, new DocumentSyncFailedEventArgs(noteId, e));
    }

    /// <summary>
    /// Syncs one note (DESIGN 3.5, 6): sends what the server lacks by the last state vector it sent (only
    /// when the device has unsynced edits, so that a sync that brings nothing stores nothing on the server)
    /// with the document's state vector, applies the answer, and stores what it changed with the server's
    /// new state vector in one transaction. A delta the server refuses as not integrable is sent again as
    /// the whole state, once. <paramref name="force"/> sends edits the server refused before.
    /// </summary>
    private async Task SyncDocumentCoreAsync(string noteId, bool force, CancellationToken cancellationToken)
    {
        var (live, _) = Acquire(noteId, forHandle: false);
        long ticket;
        lock (_documentsLock)
        {
            ticket = _wantTicket;
        }

        try
        {
            var (request, sentThrough) = await live.RunAsync(() => Snapshot(live, force, full: false));
            DocumentSyncResponse response;
            try
            {
                try
                {
                    response = await AuthorizedAsync(token => _transport.SyncDocumentAsync(noteId, request, token, cancellationToken), cancellationToken);
                }
                catch (SyncTransportException e) when (e.Code == ErrorCodes.InvalidYjsUpdate && request.YjsUpdates is not null)
                {
                    // The delta builds on content the server does not have (it lost it, or the device's idea of the
                    // server's state is wrong): the server stored nothing; the whole state cannot miss anything.
                    (request, sentThrough) = await live.RunAsync(() => Snapshot(live, force, full: true));
                    response = await AuthorizedAsync(token => _transport.SyncDocumentAsync(noteId, request, token, cancellationToken), cancellationToken);
                }
            }
            catch (SyncTransportException e) when (IsRefusal(e))
            {
                Unwant(noteId, ticket); // refused for good: asked about again after its next edit, not in every step
                throw;
            }

            try
            {
                YUpdate.Validate(response.Updates);
                YUpdate.DecodeStateVector(response.NewStateVector);
            }
            catch (YjsFormatException e)
            {
                throw new SyncTransportException(200, "INVALID_RESPONSE", $"The server's document answer does not decode: {e.Message}", e);
            }

            var (received, observerFailure) = await live.RunAsync(() => Apply(live.Doc, response.Updates));
            var now = _time.GetUtcNow().UtcTicks;
            // Stored whatever the cancellation says: the document already holds it, so the log must too.
            var logRows = await _db.WriteAsync(w =>
            {
                if (received is not null)
                {
                    w.AppendDocumentUpdate(noteId, DocumentUpdateKinds.Server, received);
                }

                w.MarkDocumentSynced(noteId, response.NewStateVector, response.SyncVersion, request.YjsUpdates is not null, sentThrough, now);
                return w.GetDocument(noteId)?.LogCount ?? 0;
            }, CancellationToken.None);
            Unwant(noteId, ticket);
            if (logRows > _options.DocumentLogCompactionUpdates)
            {
                await CompactAsync(live, CancellationToken.None);
            }

            if (observerFailure is not null)
            {
                // An observer of the app failed while the answer was applied; the document and the log hold it anyway.
                observerFailure.Throw();
            }
        }
        finally
        {
            bool close;
            lock (_documentsLock)
            {
                live.Syncing = false;
                close = live.Handles == 0 && _liveDocuments.GetValueOrDefault(noteId) == live;
                if (close)
                {
                    _liveDocuments.Remove(noteId);
                }
            }

            if (close)
            {
                Detach(live);
            }
        }
    }

    /// <summary>The request for the document as it is now, and the seq of its newest local update it covers.</summary>
    private (DocumentSyncRequest Request, long SentThrough) Snapshot(LiveDocument live, bool force, bool full)
    {
        var row = _db.Read(c => DocumentReads.Get(c, live.NoteId));
        byte[]? update = null;
        if (row is { HasUnsyncedChanges: true } && (row.FailedCode is null || force))
        {
            update = full || row.ServerStateVector is null ? live.Doc.EncodeStateAsUpdate() : live.Doc.EncodeStateAsUpdate(row.ServerStateVector);
        }

        var request = new DocumentSyncRequest { YjsUpdates = update, StateVector = live.Doc.EncodeStateVector(), SyncVersion = row?.SyncVersion };
        return (request, row?.LocalSeq ?? 0);
    }

    /// <summary>Applies the server's answer; returns what it changed in the document (null: nothing) and an app observer's failure, if any.</summary>
    private static (byte[]? Received, ExceptionDispatchInfo? ObserverFailure) Apply(YDoc doc, byte[] update)
    {
        byte[]? received = null;
        void Capture(object? sender, YUpdateEventArgs e)
        {
            if (ReferenceEquals(e.Origin, s_serverOrigin))
            {
                received = received is null ? e.Update : YUpdate.MergeUpdates([received, e.Update]);
            }
        }

        doc.UpdateV1 += Capture;
        try
        {
            doc.ApplyUpdate(update, s_serverOrigin);
            return (received, null);
        }
        catch (Exception e) when (e is not YjsFormatException)
        {
            return (received, ExceptionDispatchInfo.Capture(e));
        }
        finally
        {
            doc.UpdateV1 -= Capture;
        }
    }

    /// <summary>Replaces the note's log by the document's state (every row of the log is in the live document).</summary>
    private async Task CompactAsync(LiveDocument live, CancellationToken cancellationToken)
    {
        var (state, upTo) = await live.RunAsync(() => (live.Doc.EncodeStateAsUpdate(), _db.Read(c => DocumentReads.LastSeq(c, live.NoteId))));
        if (upTo > 0)
        {
            await _db.WriteAsync(w => w.CompactDocumentLog(live.NoteId, upTo, state), cancellationToken);
        }
    }
}
