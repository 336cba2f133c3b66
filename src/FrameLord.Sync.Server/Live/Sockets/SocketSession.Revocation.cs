namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// Closing a socket when a device session it was opened with is revoked: at once when the revocation is made
/// in this process (the socket is registered with <see cref="SessionConnections"/>), at the next keep-alive
/// tick (15 s) plus the session check interval when it is made in another.
/// </summary>
internal abstract partial class SocketSession
{
    private readonly Lock _sessionGate = new();
    private readonly Dictionary<(string UserId, string? DeviceId, string? SessionId), (SocketIdentity Identity, IDisposable Registration)> _sessions = [];
    private int _rechecking;

    private void WatchSession(SocketIdentity identity)
    {
        lock (_sessionGate)
        {
            var key = (identity.UserId, identity.DeviceId, identity.SessionId);
            if (!_sessions.ContainsKey(key))
            {
                _sessions[key] = (identity, Context.Connections.Register(identity.UserId, identity.DeviceId, CloseRevoked));
            }
        }
    }

    private void CloseRevoked() => Connection.Close(Unauthorized, "The session was revoked.");

    /// <summary>Asks again whether the socket's sessions are active; one check at a time.</summary>
    private void RecheckSessions()
    {
        SocketIdentity[] identities;
        lock (_sessionGate)
        {
            if (_sessions.Count == 0 || Interlocked.Exchange(ref _rechecking, 1) == 1)
            {
                return;
            }

            identities = [.. _sessions.Values.Select(s => s.Identity)];
        }

        _ = Task.Run(async () =>
        {
            try
            {
                foreach (var identity in identities)
                {
                    if (!await Context.Authenticator.IsStillActiveAsync(identity, CancellationToken.None))
                    {
                        CloseRevoked();
                        return;
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The store is unreachable: the socket stays, as requests with a cached answer do; the next tick asks again.
            }
            finally
            {
                Volatile.Write(ref _rechecking, 0);
            }
        });
    }

    private void ReleaseSessions()
    {
        lock (_sessionGate)
        {
            foreach (var (_, registration) in _sessions.Values)
            {
                registration.Dispose();
            }

            _sessions.Clear();
        }
    }
}
