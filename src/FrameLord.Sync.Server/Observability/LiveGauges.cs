using FrameLord.Sync.Server.Live;
using FrameLord.Sync.Server.Live.Sockets;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// Observable gauges of what is open in this process: event streams and live document sockets. Read
/// only when a listener collects (a lock and a sum over users); registered at start so the meter does
/// not depend on the parts it observes.
/// </summary>
internal sealed class LiveGauges(SyncMetrics metrics, LiveHub hub, NoteHubRegistry sockets) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Meter.CreateObservableGauge("framelord.sync.event_streams.open", () => hub.TotalStreamCount, "{stream}",
            "Open GET /sync/events streams in this process.");
        metrics.Meter.CreateObservableGauge("framelord.sync.sockets.open", () => sockets.TotalSocketCount, "{socket}",
            "Open live document sockets (y-websocket and Hocuspocus) in this process.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
