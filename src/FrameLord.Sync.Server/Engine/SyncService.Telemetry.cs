using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Observability;

namespace FrameLord.Sync.Server.Engine;

public sealed partial class SyncService
{
    /// <summary>
    /// Applies a batch in one transaction (DESIGN 3.2, 4), in a <c>sync.push</c> span; counts its changes
    /// by outcome and its conflicts by kind. Per-change failures are outcomes, not exceptions;
    /// whole-request problems throw <see cref="ApiException"/> before anything is written.
    /// </summary>
    public async Task<PushResponse> PushAsync(string userId, PushRequest request, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.Start(SyncTelemetry.Push, userId, ValidDevice(request.DeviceId));
        try
        {
            var response = await PushCoreAsync(userId, request, cancellationToken);
            activity?.SetTag("framelord.changes", request.Changes?.Count ?? 0);
            activity?.SetTag("framelord.changes.failed", response.Failed.Count);
            activity?.SetTag("framelord.conflicts", response.Conflicts.Count);
            _metrics?.Pushed(response);
            return response;
        }
        catch (Exception e)
        {
            SyncTelemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>One page of the user's changes after the cursor (DESIGN 3.3), in a <c>sync.pull</c> span; counts the changes answered.</summary>
    public async Task<PullResponse> PullAsync(string userId, PullRequest request, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.Start(SyncTelemetry.Pull, userId, ValidDevice(request.DeviceId));
        try
        {
            var response = await PullCoreAsync(userId, request, cancellationToken);
            activity?.SetTag("framelord.changes", response.Changes.Count);
            activity?.SetTag("framelord.has_more", response.HasMore);
            _metrics?.Pulled(response.Changes.Count);
            return response;
        }
        catch (Exception e)
        {
            SyncTelemetry.Fail(activity, e);
            throw;
        }
    }

    /// <summary>The request's device id for logs and spans, or null when it is not one the request may carry.</summary>
    private string? ValidDevice(string? deviceId) => ChangeValidator.IsValidId(deviceId, _limits.MaxIdLength) ? deviceId : null;
}
