using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Http;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// The live document sockets of DESIGN 3.8: <c>GET /api/v1/yjs/{note_id}</c> (y-websocket) and
/// <c>GET /api/v1/hocuspocus</c>. Both allow the upgrade without a bearer token and authenticate on the
/// socket, closing it with 4401, because a refused upgrade reaches a provider as a network error it retries
/// forever. The server pings every 30 s at the protocol level as well.
/// </summary>
internal static class RealtimeEndpoints
{
    /// <summary>Protocol-level ping interval; a peer that does not answer within as long again is dropped.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(30);

    /// <summary>Registers what the sockets use.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<NoteHubRegistry>();
        services.AddSingleton<SocketAuthenticator>();
        services.AddSingleton<RealtimeContext>();
        return services;
    }

    // The sockets are kept out of the per-address limit of anonymous requests in flight (their token travels in
    // the URL or the Auth message): a socket would hold its slot for its whole life, so an office behind one
    // address could open only a handful. They are capped per user (Limits:MaxSocketsPerUser) and paced per
    // socket instead, and one without a valid token is closed at once.
    public static WebApplication MapRealtime(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapGet(ApiHosting.ApiBase + "/yjs/{noteId}", (HttpContext http, string noteId, RealtimeContext context) =>
            AcceptAsync(http, connection => new YWebSocketSession(connection, context, noteId, SocketAuthenticator.TokenOf(http.Request)), context))
            .AllowAnonymous()
            .DisableRateLimiting();
        app.MapGet(ApiHosting.ApiBase + "/hocuspocus", (HttpContext http, RealtimeContext context) =>
            AcceptAsync(http, connection => new HocuspocusSession(connection, context), context))
            .AllowAnonymous()
            .DisableRateLimiting();
        return app;
    }

    private static async Task AcceptAsync(HttpContext http, Func<SocketConnection, SocketSession> session, RealtimeContext context)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await ErrorResponses.WriteAsync(http, StatusCodes.Status400BadRequest,
                new ErrorBody { Code = ErrorCodes.ValidationFailed, Message = "This route takes a WebSocket upgrade." });
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = PingInterval,
            KeepAliveTimeout = PingInterval,
        });
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var connection = new SocketConnection(socket, context.Limits.MaxYjsUpdateBytes, context.Time);
        await session(connection).RunAsync(ending.Token);
    }
}
