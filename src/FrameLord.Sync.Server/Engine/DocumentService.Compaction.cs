using FrameLord.Sync.Crdt;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class DocumentService
{
    /// <summary>
    /// Folds the document's log into a new snapshot: integrates snapshot and log into a document (GC on)
    /// and re-encodes it, then installs it and deletes the folded log in one transaction. Updates logged
    /// meanwhile stay in the log; a crash at any point leaves the old snapshot and log intact. One
    /// compaction per document runs at a time in this process (a second caller awaits the first); across
    /// processes the store's check of the snapshot seq keeps only the first.
    /// </summary>
    /// <returns>True when a new snapshot was installed.</returns>
    private async Task<bool> CompactCoreAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        var key = (userId, noteId);
        var mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _compacting.GetOrAdd(key, mine.Task);
        if (running != mine.Task)
        {
            return await running;
        }

        try
        {
            var installed = await CompactOnceAsync(userId, noteId, cancellationToken);
            mine.SetResult(installed);
            return installed;
        }
        catch (Exception e)
        {
            mine.SetException(e);
            _ = mine.Task.Exception; // observed here; the caller gets the exception
            throw;
        }
        finally
        {
            _compacting.TryRemove(key, out _);
        }
    }

    private async Task<bool> CompactOnceAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        var view = await _store.ReadDocumentAsync(userId, noteId, includeSnapshot: true, cancellationToken);
        if (view is null || view.Log.Count == 0)
        {
            return false;
        }

        // The document's own client id never writes; any fixed id keeps the encoding deterministic.
        var doc = new YDoc(new YDocOptions { ClientId = YDoc.MaxClientId, Gc = true });
        doc.ApplyUpdate(view.Snapshot!);
        long bytes = 0;
        foreach (var entry in view.Log)
        {
            cancellationToken.ThrowIfCancellationRequested();
            doc.ApplyUpdate(entry.Update);
            bytes += entry.Update.LongLength;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var stateVector = doc.EncodeStateVector();
        var snapshot = new DocumentSnapshot(
            view.Head.SnapshotSeq, view.Log[^1].Seq, view.Log.Count, bytes,
            doc.EncodeStateAsUpdate(), stateVector, doc.EncodeStateAsUpdate(stateVector));
        return await _store.ReplaceDocumentSnapshotAsync(userId, noteId, snapshot, cancellationToken);
    }
}
