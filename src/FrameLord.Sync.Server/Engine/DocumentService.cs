using System.Collections.Concurrent;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// Yjs document sync (DESIGN 3.5, 6). A request's update is decoded and checked against the stored
/// state vector before anything is stored, then appended to the document's log atomically with a
/// sync_version bump; the answer is computed from the snapshot's delete set (or, for a client behind
/// the snapshot, a diff of the snapshot) and diffs of the log, never by loading the document. The log
/// is folded into a new snapshot by integrating into a document and re-encoding it with GC.
/// </summary>
public sealed partial class DocumentService
{
    private readonly ISyncStore _store;
    private readonly SyncOptions _options;
    private readonly LimitOptions _limits;
    private readonly TimeProvider _time;
    private readonly SyncMetrics? _metrics;
    private readonly ConcurrentDictionary<(string UserId, string NoteId), Task<bool>> _compacting = new();

    public DocumentService(ISyncStore store, SyncOptions options, LimitOptions limits, TimeProvider time)
        : this(store, options, limits, time, null)
    {
    }

    /// <summary>The host's constructor: <paramref name="metrics"/> counts updates by transport (none: nothing is counted).</summary>
    internal DocumentService(ISyncStore store, SyncOptions options, LimitOptions limits, TimeProvider time, SyncMetrics? metrics)
    {
        _store = store;
        _options = options;
        _limits = limits;
        _time = time;
        _metrics = metrics;
        if (metrics is not null)
        {
            UpdateAccepted += (_, _, update, origin) => metrics.DocumentUpdateAccepted(update.Length, origin is null ? "rest" : "socket");
        }
    }

    /// <summary>Raised after an accepted update: user id, note id, new sync_version (for live events).</summary>
    public event Action<string, string, long>? DocumentChanged;

    /// <summary>
    /// Raised after an accepted update with its bytes (user id, note id, update, origin), before DocumentChanged, for live
    /// sockets; the origin is the socket's (<see cref="LiveUpdate.Origin"/>) or null for a sync request.
    /// </summary>
    public event Action<string, string, byte[], object?>? UpdateAccepted;

    /// <summary>Raised when a document's log crossed a compaction threshold in background mode.</summary>
    public event Action<string, string>? CompactionWanted;

    private async Task<DocumentSyncResponse> SyncCoreAsync(string userId, string noteId, DocumentSyncRequest request, CancellationToken cancellationToken)
    {
        CheckNoteAndSize(noteId, request.YjsUpdates?.Length ?? 0);

        var clientVector = request.StateVector is { Length: > 0 } sv ? sv : RowReaders.EmptyStateVector;
        IReadOnlyDictionary<ulong, long> client;
        try
        {
            client = YUpdate.DecodeStateVector(clientVector);
        }
        catch (YjsFormatException)
        {
            throw ApiException.Validation("state_vector is not a Yjs state vector.");
        }

        var head = await _store.ReadDocumentHeadAsync(userId, noteId, cancellationToken);
        DocumentView? view = null;
        if (request.YjsUpdates is { Length: > 0 } update)
        {
            view = await AcceptAsync(userId, noteId, update, head, client, cancellationToken);
            head = view?.Head ?? head;
        }

        if (head is null)
        {
            return new DocumentSyncResponse { Updates = RowReaders.EmptyUpdate, NewStateVector = RowReaders.EmptyStateVector, SyncVersion = 0 };
        }

        // An accepted update came back with the log; read again only when nothing was stored, or when a
        // compaction in between left the client behind a snapshot the append did not fetch.
        if (view is null || (view.Snapshot is null && !Covers(client, view.Head.SnapshotStateVector)))
        {
            view = await _store.ReadDocumentAsync(userId, noteId, includeSnapshot: !Covers(client, head.SnapshotStateVector), cancellationToken);
        }

        // Against an empty state vector a stored update is its own diff: sent as stored, not re-encoded
        // (a first sync of a large note, or a client that sent everything it has, pays no diff).
        var parts = new List<byte[]>(1 + view!.Log.Count);
        AddPart(parts, view.Snapshot is { } snapshot ? DiffAgainst(snapshot, clientVector, client) : view.Head.SnapshotDeleteSet);
        foreach (var entry in view.Log)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AddPart(parts, DiffAgainst(entry.Update, clientVector, client));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var response = new DocumentSyncResponse
        {
            Updates = parts.Count switch { 0 => RowReaders.EmptyUpdate, 1 => parts[0], _ => YUpdate.MergeUpdates(parts) },
            NewStateVector = view.Head.StateVector,
            SyncVersion = view.Head.SyncVersion,
        };

        await CompactIfDueAsync(userId, noteId, view.Head, cancellationToken);
        return response;
    }

    private void CheckNoteAndSize(string noteId, int updateBytes)
    {
        if (!ChangeValidator.IsValidId(noteId, _limits.MaxIdLength))
        {
            throw ApiException.Validation($"note_id must be 1 to {_limits.MaxIdLength} characters without control characters.");
        }

        if (updateBytes > _limits.MaxYjsUpdateBytes)
        {
            throw new ApiException(413, ErrorCodes.PayloadTooLarge, $"The Yjs update is over the {_limits.MaxYjsUpdateBytes}-byte limit.");
        }
    }

    private async Task CompactIfDueAsync(string userId, string noteId, DocumentHead head, CancellationToken cancellationToken)
    {
        if (head.LogCount >= _options.DocumentCompactionUpdates || head.LogBytes >= _options.DocumentCompactionBytes)
        {
            if (_options.DocumentCompaction == DocumentCompactionMode.Inline)
            {
                await CompactAsync(userId, noteId, cancellationToken);
            }
            else
            {
                CompactionWanted?.Invoke(userId, noteId);
            }
        }
    }

    /// <summary>
    /// Checks and stores the client's update, returning the document after it (with the snapshot when the
    /// client is behind it); null when the update adds nothing the document lacks.
    /// </summary>
    private async Task<DocumentView?> AcceptAsync(string userId, string noteId, byte[] update, DocumentHead? head,
        IReadOnlyDictionary<ulong, long> client, CancellationToken cancellationToken)
    {
        // Refused before any decoding: a note at its limit costs a full note's client one query per sync.
        var stored = head is null ? 0 : await _store.ReadDocumentSizeAsync(userId, noteId, cancellationToken);
        if (update.LongLength > _limits.MaxDocumentBytes - stored)
        {
            throw new ApiException(413, ErrorCodes.PayloadTooLarge,
                $"The note would grow past the {_limits.MaxDocumentBytes}-byte document limit ({stored} bytes stored).");
        }

        var server = head is null ? new Dictionary<ulong, long>() : YUpdate.DecodeStateVector(head.StateVector);
        UpdateInspection inspection;
        try
        {
            inspection = YUpdateInspection.Inspect(update, server, head?.DeleteSet ?? RowReaders.EmptyUpdate, cancellationToken);
        }
        catch (YjsFormatException e)
        {
            throw new ApiException(400, ErrorCodes.InvalidYjsUpdate, $"The update does not decode: {e.Message}");
        }

        if (!inspection.Integrates)
        {
            throw new ApiException(400, ErrorCodes.InvalidYjsUpdate,
                "The update depends on content the server does not have; send the full state (no state vector).");
        }

        // yjs clients resend their whole delete set with every update; one the document has is no change.
        if (inspection.AddsNothing)
        {
            return null;
        }

        var deletions = inspection.Deletions;
        var readVector = head?.StateVector ?? RowReaders.EmptyStateVector;
        var accepted = await _store.AppendDocumentUpdateAsync(userId, noteId, update, head,
            current => Advance(current, readVector, () => inspection.AfterStateVector, () => inspection.After, deletions.Length > 2 ? deletions : null),
            includeSnapshot: head is not null && !Covers(client, head.SnapshotStateVector), _time.GetUtcNow(), cancellationToken);
        UpdateAccepted?.Invoke(userId, noteId, update, null);
        DocumentChanged?.Invoke(userId, noteId, accepted.Head.SyncVersion);
        return accepted;
    }

    private static byte[] DiffAgainst(byte[] update, byte[] clientVector, IReadOnlyDictionary<ulong, long> client) =>
        client.Count == 0 ? update : YUpdate.DiffUpdate(update, clientVector);

    /// <summary>Leaves out empty parts (00 00): merging decodes every part in full, and a lone part needs no merge.</summary>
    private static void AddPart(List<byte[]> parts, byte[] part)
    {
        if (part is not [0, 0])
        {
            parts.Add(part);
        }
    }

    private static bool Covers(IReadOnlyDictionary<ulong, long> client, byte[] snapshotStateVector)
    {
        foreach (var (clientId, clock) in YUpdate.DecodeStateVector(snapshotStateVector))
        {
            if (client.GetValueOrDefault(clientId) < clock)
            {
                return false;
            }
        }

        return true;
    }
}
