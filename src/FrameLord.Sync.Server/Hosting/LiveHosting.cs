using System.Text.Json;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Live;
using FrameLord.Sync.Server.Live.Sockets;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// Live updates (DESIGN 3.6, 3.8): the hub of event streams, the note sockets (y-websocket and
/// Hocuspocus), and the wiring that turns commits and accepted document updates into events. The relay
/// between server processes sharing a PostgreSQL database (DESIGN 7) is registered by that store.
/// </summary>
public static class LiveHosting
{
    public static WebApplicationBuilder AddSyncLive(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<LiveHub>();
        services.AddRealtime();

        // The relay between processes sharing a database comes with its store (AddPostgresSyncStore).
        return builder;
    }

    /// <summary>
    /// The note sockets, and the engine's changes published to them and to the event streams
    /// (<c>GET /sync/events</c> itself is an API route, mapped by <see cref="ApiHosting.MapSyncApi"/>).
    /// </summary>
    public static WebApplication MapSyncLive(this WebApplication app)
    {
        app.MapRealtime();

        // Commits and accepted document updates become live events for the user's open streams.
        var hub = app.Services.GetRequiredService<LiveHub>();
        app.Services.GetRequiredService<SyncService>().EntitiesChanged += (user, cursor) =>
            hub.Publish(new LiveEvent(user, "changes", $"{{\"cursor\":\"{cursor}\"}}"));
        app.Services.GetRequiredService<DocumentService>().DocumentChanged += (user, note, version) =>
            hub.Publish(new LiveEvent(user, "doc", JsonSerializer.Serialize(new DocumentEvent(note, version), LiveJsonContext.Default.DocumentEvent)));
        return app;
    }
}
