using FrameLord.Sync.Server.Observability;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// A socket's work logs inside the same <see cref="RequestLogScope"/> (<c>UserId</c>, <c>DeviceId</c>) as an
/// authenticated HTTP request. The upgrade itself is anonymous (the token comes in the query or the first Auth
/// message), so the authorization step that scopes requests never scopes a socket: the session enters the scope
/// itself once its first identity is accepted, for the rest of its life.
/// </summary>
internal abstract partial class SocketSession
{
    private SocketIdentity? _logIdentity;

    /// <summary>Remembers the socket's first accepted identity as the one its lines are scoped with.</summary>
    private void NoteLogIdentity(SocketIdentity identity) => _logIdentity ??= identity;

    /// <summary>
    /// Enters the scope of the socket's identity, once known; null before, and when the upgrade request is
    /// already scoped to that user (a bearer header that authorized it). Called from the session's own flow,
    /// so the scope holds for every await after it and for the work it queues.
    /// </summary>
    private LogScope? EnterLogScope() =>
        _logIdentity is { } identity && RequestLogScope.Current?.UserId != identity.UserId ? new LogScope(identity, Context.Logger) : null;

    private sealed class LogScope : IDisposable
    {
        private readonly IDisposable _current;
        private readonly IDisposable? _logger;

        public LogScope(SocketIdentity identity, ILogger logger)
        {
            var scope = new RequestLogScope(identity.UserId, identity.DeviceId);
            _current = scope.Enter();
            _logger = logger.BeginScope(scope);
        }

        public void Dispose()
        {
            _logger?.Dispose();
            _current.Dispose();
        }
    }
}
