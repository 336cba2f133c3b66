using System.Runtime.ExceptionServices;
using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The note-document sync (DESIGN 3.5, 6): which notes a step syncs, and one note's exchange with the server
/// by state vector, its answer applied to the live document and stored in the note's log in one transaction.
/// It works on the documents of <see cref="DocumentRegistry"/> and owns no state of its own.
/// </summary>
internal sealed class DocumentSyncSession(
    LocalDatabase db, TimeProvider time, SyncClientOptions options, AccessTokens tokens, ISyncTransport transport, DocumentRegistry registry,
    SyncGate gate, SyncStatusTracker status, SyncEvents events)
{
    /// <summary>
    /// The notes a sync step syncs, in id order: those with edits the server does not have (and did not
    /// refuse), those the app has open, those opened since the last step, and those named by a live event
    /// with a newer version than the device has. A note the device merely holds is not asked about.
    /// </summary>
    private List<string> SelectDocuments()
    {
        var notes = new SortedSet<string>(db.Reader.UnsyncedDocuments(), StringComparer.Ordinal);
        var (open, wanted) = registry.Candidates();
        notes.UnionWith(open);

        // A live note needs no REST sync (its socket brings every change), only the confirmation of its own edits.
        var liveNotes = registry.LiveNoteIds();
        foreach (var noteId in liveNotes)
        {
            if (db.Reader.Document(noteId) is not { HasUnsyncedChanges: true, FailedCode: null })
            {
                notes.Remove(noteId);
            }
        }

        foreach (var (noteId, want) in wanted)
        {
            if (liveNotes.Contains(noteId))
            {
                registry.Unwant(noteId, want.Ticket);
            }
            else if (want.Version is not { } version || registry.IsNews(noteId, version))
            {
                notes.Add(noteId);
            }
            else
            {
                registry.Unwant(noteId, want.Ticket);
            }
        }

        return [.. notes];
    }

    /// <summary>
    /// The documents part of a sync step: each selected note in turn. A transient failure ends the step (the
    /// loop retries with backoff); a refusal of one note is recorded and raised, and the others go on.
    /// Returns the number of notes synced.
    /// </summary>
    public async Task<int> SyncDueAsync(CancellationToken cancellationToken)
    {
        var notes = SelectDocuments();
        if (notes.Count == 0)
        {
            return 0;
        }

        status.Report(SyncPhase.Documents, 0, notes.Count);
        var synced = 0;
        for (var i = 0; i < notes.Count; i++)
        {
            try
            {
                await SyncOneAsync(notes[i], force: false, cancellationToken);
                synced++;
            }
            catch (SyncTransportException e) when (IsRefusal(e))
            {
                await RecordRefusalAsync(notes[i], e);
            }

            status.Report(SyncPhase.Documents, i + 1, notes.Count);
        }

        return synced;
    }

    public Task SyncNowAsync(string noteId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(noteId);
        return gate.RunAsync(async () =>
        {
            try
            {
                await SyncOneAsync(noteId, force: true, cancellationToken);
            }
            catch (SyncTransportException e) when (IsRefusal(e))
            {
                await RecordRefusalAsync(noteId, e);
                throw;
            }

            status.Refresh();
            return true;
        }, cancellationToken);
    }

    /// <summary>A refusal of this note by the server itself; a proxy's page or an unreadable answer is an error to retry, not a refusal.</summary>
    private static bool IsRefusal(SyncTransportException e) =>
        e.IsContractAnswer && !e.IsTransient && !e.IsUnauthorized && e is not SchemaMismatchException;

    private async Task RecordRefusalAsync(string noteId, SyncTransportException e)
    {
        await db.WriteAsync(w =>
        {
            w.MarkDocumentFailed(noteId, e.Code, e.Message);
            return true;
        }, CancellationToken.None);
        events.OnDocumentSyncFailed(new DocumentSyncFailedEventArgs(noteId, e));
    }

    /// <summary>
    /// Syncs one note (DESIGN 3.5, 6): sends what the server lacks by the last state vector it sent (only
    /// when the device has unsynced edits, so that a sync that brings nothing stores nothing on the server)
    /// with the document's state vector, applies the answer, and stores what it changed with the server's
    /// new state vector in one transaction. A delta the server refuses as not integrable is sent again as
    /// the whole state, once. When the answer shows the server lacks content the device has (it lost it),
    /// that content is sent in a second exchange. <paramref name="force"/> sends edits the server refused before.
    /// </summary>
    private async Task SyncOneAsync(string noteId, bool force, CancellationToken cancellationToken)
    {
        var (live, _) = registry.Acquire(noteId, forHandle: false);
        var ticket = registry.CurrentTicket;

        try
        {
            if (await ExchangeAsync(live, force, cancellationToken) == Outcome.ServerBehind)
            {
                await ExchangeAsync(live, force, cancellationToken, mayConfirm: false);
            }

            registry.Unwant(noteId, ticket);
        }
        catch (SyncTransportException e) when (IsRefusal(e))
        {
            registry.Unwant(noteId, ticket); // refused for good: asked about again after its next edit, not in every step
            throw;
        }
        finally
        {
            registry.EndSync(live);
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
        var confirm = mayConfirm && live.IsLive;
        var (request, sentThrough, unsynced) = await live.RunAsync(() => Snapshot(live, force, full: false, confirm));
        DocumentSyncResponse response;
        try
        {
            response = await tokens.AuthorizedAsync(token => transport.SyncDocumentAsync(noteId, request, token, cancellationToken), cancellationToken);
        }
        catch (SyncTransportException e) when (e.Code == ErrorCodes.InvalidYjsUpdate && request.YjsUpdates is not null)
        {
            // The delta builds on content the server does not have (it lost it, or the device's idea of the
            // server's state is wrong): the server stored nothing; the whole state cannot miss anything.
            (request, sentThrough, _) = await live.RunAsync(() => Snapshot(live, force, full: true, confirm: false));
            response = await tokens.AuthorizedAsync(token => transport.SyncDocumentAsync(noteId, request, token, cancellationToken), cancellationToken);
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
        var now = time.GetUtcNow().UtcTicks;
        // Stored whatever the cancellation says: the document already holds it, so the log must too.
        var logRows = await db.WriteAsync(w =>
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
        if (logRows > options.DocumentLogCompactionUpdates)
        {
            await registry.CompactAsync(live, CancellationToken.None);
        }

        // An observer of the app failed while the answer was applied; the document and the log hold it anyway.
        observerFailure?.Throw();
        return behind ? Outcome.ServerBehind : Outcome.Synced;
    }

    /// <summary>True when <paramref name="mine"/> has a clock the server's state vector lacks.</summary>
    internal static bool IsAhead(IReadOnlyDictionary<ulong, long> mine, IReadOnlyDictionary<ulong, long> server)
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
        var row = db.Reader.Document(live.NoteId);
        byte[]? update = null;
        if (row is { HasUnsyncedChanges: true } && (row.FailedCode is null || force) && !confirm)
        {
            update = full || row.ServerStateVector is null ? live.Doc.EncodeStateAsUpdate() : live.Doc.EncodeStateAsUpdate(row.ServerStateVector);
        }

        var request = new DocumentSyncRequest { YjsUpdates = update, StateVector = live.Doc.EncodeStateVector(), SyncVersion = row?.SyncVersion };
        return (request, row?.LocalSeq ?? 0, row is { HasUnsyncedChanges: true });
    }

    /// <summary>Applies the server's answer; returns what it changed in the document (null: nothing) and an app observer's failure, if any.</summary>
    internal static (byte[]? Received, ExceptionDispatchInfo? ObserverFailure) Apply(YDoc doc, byte[] update)
    {
        byte[]? received = null;
        void Capture(object? sender, YUpdateEventArgs e)
        {
            if (ReferenceEquals(e.Origin, DocumentRegistry.ServerOrigin))
            {
                received = received is null ? e.Update : YUpdate.MergeUpdates([received, e.Update]);
            }
        }

        doc.UpdateV1 += Capture;
        try
        {
            doc.ApplyUpdate(update, DocumentRegistry.ServerOrigin);
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
}
