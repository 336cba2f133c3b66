using FrameLord.Sync.Crdt;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class DocumentService
{
    /// <summary>
    /// Stores one update from a live socket (DESIGN 3.8) exactly as a sync request's update: the same checks
    /// (413 over the size limit, 400 INVALID_YJS_UPDATE, nothing stored), the same append and sync_version bump,
    /// the same live events and compaction; no answer is computed. Returns the new sync_version, or null when
    /// the document already had everything in the update (nothing stored, nothing bumped).
    /// </summary>
    public async Task<long?> ApplyUpdateAsync(string userId, string noteId, byte[] update, CancellationToken cancellationToken)
    {
        CheckNoteAndSize(noteId, update.Length);
        var head = await _store.ReadDocumentHeadAsync(userId, noteId, cancellationToken);
        // The store's own vector covers its snapshot, so the append reads back no snapshot.
        var covering = head is null ? new Dictionary<ulong, long>() : YUpdate.DecodeStateVector(head.StateVector);
        var view = await AcceptAsync(userId, noteId, update, head, covering, cancellationToken);
        if (view is null)
        {
            return null;
        }

        await CompactIfDueAsync(userId, noteId, view.Head, cancellationToken);
        return view.Head.SyncVersion;
    }

    /// <summary>The stored document's state vector (empty when the note has no document), for a socket's sync step 1.</summary>
    public async Task<byte[]> StateVectorAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        CheckNoteAndSize(noteId, 0);
        var head = await _store.ReadDocumentHeadAsync(userId, noteId, cancellationToken);
        return head?.StateVector ?? RowReaders.EmptyStateVector;
    }
}
