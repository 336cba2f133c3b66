using System.Collections.Concurrent;
using System.Threading.Channels;

namespace FrameLord.Sync.Server.Live;

/// <summary>
/// Fans live events out to the open event streams of their user in this process. Each stream has a
/// small bounded queue that drops its oldest event when a slow reader falls behind: an event only
/// says "pull now", so a dropped one is covered by the next.
/// </summary>
public sealed class LiveHub
{
    /// <summary>Events a stream may have queued before the oldest are dropped.</summary>
    public const int QueueLength = 16;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<LiveEvent>, byte>> _streams = new(StringComparer.Ordinal);

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
        if (_streams.TryGetValue(liveEvent.UserId, out var streams))
        {
            foreach (var stream in streams.Keys)
            {
                stream.Writer.TryWrite(liveEvent);
            }
        }
    }

    public Subscription Subscribe(string userId)
    {
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _streams.GetOrAdd(userId, _ => new()).TryAdd(channel, 0);
        return new Subscription(this, userId, channel);
    }

    public int StreamCount(string userId) => _streams.TryGetValue(userId, out var s) ? s.Count : 0;

    /// <summary>One open stream; dispose to unsubscribe.</summary>
    public sealed class Subscription(LiveHub hub, string userId, Channel<LiveEvent> channel) : IDisposable
    {
        public ChannelReader<LiveEvent> Reader => channel.Reader;

        public void Dispose()
        {
            if (hub._streams.TryGetValue(userId, out var streams))
            {
                streams.TryRemove(channel, out _);
            }
        }
    }
}
