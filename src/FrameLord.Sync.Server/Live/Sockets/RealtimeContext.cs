using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>The services every live socket uses, gathered once.</summary>
internal sealed class RealtimeContext(
    DocumentService documents, NoteHubRegistry hubs, SocketAuthenticator authenticator, LimitOptions limits,
    TimeProvider time, ILogger<RealtimeContext> logger, SessionConnections connections)
{
    public DocumentService Documents { get; } = documents;

    public NoteHubRegistry Hubs { get; } = hubs;

    public SocketAuthenticator Authenticator { get; } = authenticator;

    public LimitOptions Limits { get; } = limits;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>Where sockets register so that revoking their device closes them.</summary>
    public SessionConnections Connections { get; } = connections;
}
