using System.Runtime.ExceptionServices;
using System.Text.Json;
using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>The documents part of a sync step: which notes, and one note's exchange with the server.</summary>
public sealed partial class SyncClient
{
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

        var row = _db.Reader.Document(noteId);
        return (open || row is not null) && (row?.SyncVersion ?? 0) < version;
    }

    /// <summary>
    /// The notes a sync step syncs, in id order: those with edits the server does not have (and did not
    /// refuse), those the app has open, those opened since the last step, and those named by a live event
    /// with a newer version than the device has. A note the device merely holds is not asked about.
    /// </summary>
    private List<string> SelectDocuments()
    {
        var notes = new SortedSet<string>(_db.Reader.UnsyncedDocuments(), StringComparer.Ordinal);
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

        // A live note needs no REST sync (its socket brings every change), only the confirmation of its own edits.
        var liveNotes = LiveNoteIds();
        foreach (var noteId in liveNotes)
        {
            if (_db.Reader.Document(noteId) is not { HasUnsyncedChanges: true, FailedCode: null })
            {
                notes.Remove(noteId);
            }
        }

        foreach (var (noteId, want) in wanted)
        {
            if (liveNotes.Contains(noteId))
            {
                Unwant(noteId, want.Ticket);
            }
            else if (want.Version is not { } version || IsNews(noteId, version))
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

    private HashSet<string> LiveNoteIds()
    {
        lock (_documentsLock)
        {
            return [.. _liveDocuments.Values.Where(IsLive).Select(l => l.NoteId)];
        }
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

    /// <summary>A refusal of this note by the server itself; a proxy's page or an unreadable answer is an error to retry, not a refusal.</summary>
    private static bool IsRefusal(SyncTransportException e) =>
        e.IsContractAnswer && !e.IsTransient && !e.IsUnauthorized && e is not SchemaMismatchException;

    private async Task RecordRefusalAsync(string noteId, SyncTransportException e)
    {
        await _db.WriteAsync(w =>
        {
            w.MarkDocumentFailed(noteId, e.Code, e.Message);
            return true;
        }, CancellationToken.None);
        _events.OnDocumentSyncFailed(new DocumentSyncFailedEventArgs(noteId, e));
    }

    /// <summary>
    /// Syncs one note (DESIGN 3.5, 6): sends what the server lacks by the last state vector it sent (only
    /// when the device has unsynced edits, so that a sync that brings nothing stores nothing on the server)
    /// with the document's state vector, applies the answer, and stores what it changed with the server's
    /// new state vector in one transaction. A delta the server refuses as not integrable is sent again as
    /// the whole state, once. When the answer shows the server lacks content the device has (it lost it),
    /// that content is sent in a second exchange. <paramref name="force"/> sends edits the server refused before.
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
            if (await ExchangeAsync(live, force, cancellationToken) == Outcome.ServerBehind)
            {
                await ExchangeAsync(live, force, cancellationToken, mayConfirm: false);
            }

            Unwant(noteId, ticket);
        }
        catch (SyncTransportException e) when (IsRefusal(e))
        {
            Unwant(noteId, ticket); // refused for good: asked about again after its next edit, not in every step
            throw;
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

    private enum Outcome
    {
        Synced,

        /// <summary>The note had nothing unsynced, yet the server's state vector lacks content of the device's document.</summary>
        ServerBehind,
    }

    /// <summary>One request and its answer (two when the delta is refused as not integrable).</summary>
    private async Task<Outcome> ExchangeAsync(LiveDocument live, bool force, CancellationToken cancellationToken, bool mayConfirm = true)
    {
        var noteId = live.NoteId;
        // Live: the socket carried the edits; the state vector alone asks whether the server has them.
        var confirm = mayConfirm && IsLive(live);
        var (request, sentThrough, unsynced) = await live.RunAsync(() => Snapshot(live, force, full: false, confirm));
        DocumentSyncResponse response;
        try
        {
            response = await AuthorizedAsync(token => _transport.SyncDocumentAsync(noteId, request, token, cancellationToken), cancellationToken);
        }
        catch (SyncTransportException e) when (e.Code == ErrorCodes.InvalidYjsUpdate && request.YjsUpdates is not null)
        {
            // The delta builds on content the server does not have (it lost it, or the device's idea of the
            // server's state is wrong): the server stored nothing; the whole state cannot miss anything.
            (request, sentThrough, _) = await live.RunAsync(() => Snapshot(live, force, full: true, confirm: false));
            response = await AuthorizedAsync(token => _transport.SyncDocumentAsync(noteId, request, token, cancellationToken), cancellationToken);
        }

        IReadOnlyDictionary<ulong, long> server;
        try
        {
            YUpdate.Validate(response.Updates);
            server = YUpdate.DecodeStateVector(response.NewStateVector);
        }
        catch (YjsFormatException e)
        {
            throw new SyncTransportException(200, SyncTransportException.InvalidResponseCode, $"The server's document answer does not decode: {e.Message}", e);
        }

        // A confirmation acknowledges the edits its state vector covered when the server's covers it.
        var confirmed = confirm && unsynced && !IsAhead(YUpdate.DecodeStateVector(request.StateVector!), server);
        var sent = request.YjsUpdates is not null || confirmed;
        var (received, observerFailure, behind) = await live.RunAsync(() =>
        {
            var (update, failure) = Apply(live.Doc, response.Updates);
            return (update, failure, (!unsynced || (confirm && !confirmed)) && IsAhead(live.Doc.GetStateVector(), server));
        });
        var now = _time.GetUtcNow().UtcTicks;
        // Stored whatever the cancellation says: the document already holds it, so the log must too.
        var logRows = await _db.WriteAsync(w =>
        {
            if (received is not null)
            {
                w.AppendDocumentUpdate(noteId, DocumentUpdateKinds.Server, received);
            }

            w.MarkDocumentSynced(noteId, response.NewStateVector, response.SyncVersion, sent, sentThrough, now);
            if (behind)
            {
                w.MarkDocumentUnsynced(noteId);
            }

            return w.GetDocument(noteId)?.LogCount ?? 0;
        }, CancellationToken.None);
        if (logRows > _options.DocumentLogCompactionUpdates)
        {
            await CompactAsync(live, CancellationToken.None);
        }

        // An observer of the app failed while the answer was applied; the document and the log hold it anyway.
        observerFailure?.Throw();
        return behind ? Outcome.ServerBehind : Outcome.Synced;
    }

    /// <summary>True when <paramref name="mine"/> has a clock the server's state vector lacks.</summary>
    private static bool IsAhead(IReadOnlyDictionary<ulong, long> mine, IReadOnlyDictionary<ulong, long> server)
    {
        foreach (var (client, clock) in mine)
        {
            if (clock > server.GetValueOrDefault(client))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The request for the document as it is now, the seq of its newest local update it covers, and whether
    /// the note had unsynced edits (sent, unless the server refused them before and <paramref name="force"/> is false).
    /// </summary>
    private (DocumentSyncRequest Request, long SentThrough, bool Unsynced) Snapshot(LiveDocument live, bool force, bool full, bool confirm)
    {
        var row = _db.Reader.Document(live.NoteId);
        byte[]? update = null;
        if (row is { HasUnsyncedChanges: true } && (row.FailedCode is null || force) && !confirm)
        {
            update = full || row.ServerStateVector is null ? live.Doc.EncodeStateAsUpdate() : live.Doc.EncodeStateAsUpdate(row.ServerStateVector);
        }

        var request = new DocumentSyncRequest { YjsUpdates = update, StateVector = live.Doc.EncodeStateVector(), SyncVersion = row?.SyncVersion };
        return (request, row?.LocalSeq ?? 0, row is { HasUnsyncedChanges: true });
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
        var (state, upTo) = await live.RunAsync(() => (live.Doc.EncodeStateAsUpdate(), _db.Reader.DocumentLastSeq(live.NoteId)));
        if (upTo > 0)
        {
            await _db.WriteAsync(w => w.CompactDocumentLog(live.NoteId, upTo, state), cancellationToken);
        }
    }
}
