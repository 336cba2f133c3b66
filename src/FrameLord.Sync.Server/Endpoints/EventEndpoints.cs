using System.Text;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Live;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary>
/// <c>GET /sync/events</c> (DESIGN 3.6): server-sent events for the caller's user: <c>changes</c> with
/// the cursor after a commit, <c>doc</c> with a note id and sync_version, and a comment heartbeat every
/// 15 seconds. A client that receives an event pulls (or syncs that document). The stream ends when
/// the server stops, so a shutdown does not wait out its timeout on open streams; clients reconnect.
/// </summary>
public static class EventEndpoints
{
    /// <summary>Time between heartbeat comments.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/sync/events", async (HttpContext context, LiveHub hub, IHostApplicationLifetime lifetime) =>
        {
            var userId = context.User.UserId();
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            using var subscription = hub.Subscribe(userId);
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            var aborted = ending.Token;
            await response.WriteAsync(": connected\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            try
            {
                while (!aborted.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                    wait.CancelAfter(Heartbeat);
                    string frame;
                    try
                    {
                        var next = await subscription.Reader.ReadAsync(wait.Token);
                        frame = $"event: {next.Name}\ndata: {next.Data}\n\n";
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        frame = ": heartbeat\n\n";
                    }

                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), aborted);
                    await response.Body.FlushAsync(aborted);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away, or the server is stopping.
            }
            catch (IOException)
            {
                // The connection broke.
            }
        }).DisableRateLimiting();
        return api;
    }
}
