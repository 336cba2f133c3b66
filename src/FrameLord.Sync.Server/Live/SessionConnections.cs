namespace FrameLord.Sync.Server.Live;

/// <summary>
/// The open event streams and sockets of this process by user and device, so that revoking a device
/// (logout, <c>DELETE /auth/devices/{id}</c>, a password change) or deleting the account closes them at
/// once instead of at their token's expiry. Each connection registers how it closes itself; other
/// processes notice through their periodic session check (<see cref="Auth.SessionGuard"/>).
/// </summary>
internal sealed class SessionConnections
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Registration>> _byUser = new(StringComparer.Ordinal);

    /// <summary>Registers a connection of a user (and device, null for a token without one); dispose when it ends.</summary>
    public IDisposable Register(string userId, string? deviceId, Action close)
    {
        var registration = new Registration(this, userId, deviceId, close);
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var list))
            {
                list = [];
                _byUser[userId] = list;
            }

            list.Add(registration);
        }

        return registration;
    }

    /// <summary>Open connections of a user in this process.</summary>
    public int Count(string userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var list) ? list.Count : 0;
        }
    }

    /// <summary>Closes the connections of these devices of the user.</summary>
    public void CloseDevices(string userId, IReadOnlyCollection<string> deviceIds) =>
        Close(userId, r => r.DeviceId is not null && deviceIds.Contains(r.DeviceId));

    /// <summary>Closes every connection of the user.</summary>
    public void CloseUser(string userId) => Close(userId, _ => true);

    private void Close(string userId, Func<Registration, bool> which)
    {
        List<Registration> closing;
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var list))
            {
                return;
            }

            closing = list.Where(which).ToList();
        }

        // Outside the lock: a close may end its connection at once, which unregisters it.
        foreach (var registration in closing)
        {
            registration.Close();
        }
    }

    private void Remove(Registration registration)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(registration.UserId, out var list) && list.Remove(registration) && list.Count == 0)
            {
                _byUser.Remove(registration.UserId);
            }
        }
    }

    private sealed class Registration(SessionConnections owner, string userId, string? deviceId, Action close) : IDisposable
    {
        private int _closed;

        public string UserId { get; } = userId;

        public string? DeviceId { get; } = deviceId;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                close();
            }
        }

        public void Dispose() => owner.Remove(this);
    }
}
