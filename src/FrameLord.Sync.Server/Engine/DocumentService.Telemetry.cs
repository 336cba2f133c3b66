using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Observability;

namespace FrameLord.Sync.Server.Engine;

/// <summary>The public entry points of document sync, each in its span; the work is in the *CoreAsync methods.</summary>
public sealed partial class DocumentService
{
    /// <summary>Syncs one note's document (DESIGN 3.5; see <see cref="SyncCoreAsync"/>), in a <c>document.sync</c> span.</summary>
    public async Task<DocumentSyncResponse> SyncAsync(string userId, string noteId, DocumentSyncRequest request, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.Start(SyncTelemetry.DocumentSync, userId);
        activity?.SetTag("framelord.transport", "rest");
        activity?.SetTag("framelord.update.size", request.YjsUpdates?.Length ?? 0);
        try
        {
            var response = await SyncCoreAsync(userId, noteId, request, cancellationToken);
            activity?.SetTag("framelord.sync_version", response.SyncVersion);
            return response;
        }
        catch (Exception e)
        {
            SyncTelemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>Stores updates from live sockets (DESIGN 3.8; see <see cref="ApplyUpdatesCoreAsync"/>), in a <c>document.sync</c> span.</summary>
    public async Task<LiveAppendResult> ApplyUpdatesAsync(string userId, string noteId, IReadOnlyList<LiveUpdate> updates,
        KnownDocument? known, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.Start(SyncTelemetry.DocumentSync, userId);
        activity?.SetTag("framelord.transport", "socket");
        activity?.SetTag("framelord.updates", updates.Count);
        try
        {
            return await ApplyUpdatesCoreAsync(userId, noteId, updates, known, cancellationToken);
        }
        catch (Exception e)
        {
            SyncTelemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>
    /// Folds the document's log into a new snapshot (see <see cref="CompactCoreAsync"/>), in a <c>document.compact</c>
    /// span, counted by outcome.
    /// </summary>
    /// <returns>True when a new snapshot was installed.</returns>
    public async Task<bool> CompactAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.Start(SyncTelemetry.Compaction, userId);
        try
        {
            var installed = await CompactCoreAsync(userId, noteId, cancellationToken);
            activity?.SetTag("framelord.installed", installed);
            _metrics?.Compacted(installed);
            return installed;
        }
        catch (Exception e)
        {
            SyncTelemetry.Fail(activity, e);
            throw;
        }
    }
}
