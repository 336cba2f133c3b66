using System.Globalization;
using System.Text;
using System.Threading.Channels;
using FrameLord.Sync.Server.Auth;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Live;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary>
/// <c>GET /sync/events</c> (DESIGN 3.6): server-sent events for the caller's user: <c>changes</c> with
/// the cursor after a commit, <c>doc</c> with a note id and sync_version, and a comment heartbeat every
/// 15 seconds. A client that receives an event pulls (or syncs that document). The stream ends when
/// the server stops, so a shutdown does not wait out its timeout on open streams; clients reconnect. It
/// also ends when its access token expires (as the server judges expiry: <c>exp</c> plus the clock skew),
/// when its device is revoked or the account deleted (at once in this process, at the next heartbeat in others),
/// and when the user opens more than <c>Limits:MaxEventStreamsPerUser</c> streams (the oldest ends).
/// </summary>
internal static class EventEndpoints
{
    /// <summary>Time between heartbeat comments.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/sync/events", async (HttpContext context, Caller caller, LiveHub hub, IHostApplicationLifetime lifetime,
            LimitOptions limits, AuthOptions auth, TimeProvider time, SessionConnections connections, SessionGuard sessions) =>
        {
            var userId = caller.UserId;
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            using var subscription = hub.Subscribe(userId, limits.MaxEventStreamsPerUser);
            using var expiry = new CancellationTokenSource(UntilExpiry(context, auth, time), time);
            using var revoked = new CancellationTokenSource();
            using var registration = connections.Register(userId, caller.DeviceId, revoked.Cancel);
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(
                context.RequestAborted, lifetime.ApplicationStopping, expiry.Token, revoked.Token);
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
                        // A revocation made by another server process is noticed here (this process's own close at once).
                        if (!await sessions.IsActiveAsync(caller.Principal, aborted))
                        {
                            break;
                        }

                        frame = ": heartbeat\n\n";
                    }

                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), aborted);
                    await response.Body.FlushAsync(aborted);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away, the token expired, its device was revoked, or the server is stopping.
            }
            catch (ChannelClosedException)
            {
                // A newer stream of the same user took this one's place.
            }
            catch (IOException)
            {
                // The connection broke.
            }
        }).DisableRateLimiting();
        return api;
    }

    /// <summary>Time left on the request's token: its <c>exp</c> plus the accepted clock skew, capped to what a timer holds.</summary>
    private static TimeSpan UntilExpiry(HttpContext context, AuthOptions auth, TimeProvider time)
    {
        var exp = context.User.FindFirst(JwtRegisteredClaimNames.Exp)?.Value;
        if (!long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.Zero;
        }

        var left = DateTimeOffset.FromUnixTimeSeconds(seconds) + auth.ClockSkew - time.GetUtcNow();
        return left <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, uint.MaxValue - 2));
    }
}
