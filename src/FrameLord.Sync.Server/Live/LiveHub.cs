using System.Threading.Channels;

namespace FrameLord.Sync.Server.Live;

/// <summary>
/// Fans live events out to the open event streams of their user in this process. Each stream has a
/// small bounded queue that drops its oldest event when a slow reader falls behind: an event only
/// says "pull now", so a dropped one is covered by the next. A user holds at most a fixed number of
/// streams (DESIGN 3.6): opening one more ends the oldest. A user without streams has no entry here.
/// </summary>
internal sealed class LiveHub
{
    /// <summary>Events a stream may have queued before the oldest are dropped.</summary>
    public const int QueueLength = 16;

    private readonly Lock _gate = new();

    // Per user, the open streams oldest first; a list because a user has at most a handful.
    private readonly Dictionary<string, List<Channel<LiveEvent>>> _streams = new(StringComparer.Ordinal);

    /// <summary>Raised for every event published here, so other processes can be told (see PostgresLiveRelay).</summary>
    public event Action<LiveEvent>? Published;

    public void Publish(LiveEvent liveEvent)
    {
        Deliver(liveEvent);
        Published?.Invoke(liveEvent);
    }

    /// <summary>Delivers an event that came from another process, without relaying it again.</summary>
    public void Deliver(LiveEvent liveEvent)
    {
        Channel<LiveEvent>[] streams;
        lock (_gate)
        {
            if (!_streams.TryGetValue(liveEvent.UserId, out var list))
            {
                return;
            }

            streams = [.. list];
        }

        foreach (var stream in streams)
        {
            stream.Writer.TryWrite(liveEvent);
        }
    }

    /// <summary>
    /// Opens a stream for a user. When the user already holds <paramref name="maxStreams"/>, the oldest is
    /// completed (its reader ends) to make room. The default cap is effectively none, for callers that need none.
    /// </summary>
    public Subscription Subscribe(string userId, int maxStreams = int.MaxValue)
    {
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        List<Channel<LiveEvent>> ended = [];
        lock (_gate)
        {
            if (!_streams.TryGetValue(userId, out var list))
            {
                list = [];
                _streams[userId] = list;
            }

            while (list.Count >= Math.Max(1, maxStreams))
            {
                ended.Add(list[0]);
                list.RemoveAt(0);
            }

            list.Add(channel);
        }

        foreach (var old in ended)
        {
            old.Writer.TryComplete();
        }

        return new Subscription(this, userId, channel);
    }

    public int StreamCount(string userId)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(userId, out var list) ? list.Count : 0;
        }
    }

    /// <summary>Open streams of every user in this process.</summary>
    public int TotalStreamCount
    {
        get
        {
            lock (_gate)
            {
                return _streams.Values.Sum(list => list.Count);
            }
        }
    }

    /// <summary>Users with at least one open stream in this process.</summary>
    public int UserCount
    {
        get
        {
            lock (_gate)
            {
                return _streams.Count;
            }
        }
    }

    private void Remove(string userId, Channel<LiveEvent> channel)
    {
        lock (_gate)
        {
            if (_streams.TryGetValue(userId, out var list) && list.Remove(channel) && list.Count == 0)
            {
                _streams.Remove(userId);
            }
        }
    }

    /// <summary>One open stream; dispose to unsubscribe. Its reader completes when a newer stream pushed it out.</summary>
    public sealed class Subscription(LiveHub hub, string userId, Channel<LiveEvent> channel) : IDisposable
    {
        public ChannelReader<LiveEvent> Reader => channel.Reader;

        public void Dispose() => hub.Remove(userId, channel);
    }
}
