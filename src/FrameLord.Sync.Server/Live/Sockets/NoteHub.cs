using FrameLord.Sync.Protocol.Lib0;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// The open sockets of one user's note in this process, and the awareness states seen on them (never stored).
/// It holds no document: updates are validated and stored by DocumentService and fanned out from here, so a
/// keystroke costs one append and one fan-out. Created on the first socket, dropped after the last leaves.
/// </summary>
internal sealed partial class NoteHub(string userId, string noteId)
{
    /// <summary>Awareness clients remembered per note; past this, new ones are relayed but not replayed to later joiners.</summary>
    public const int MaxAwarenessClients = 1000;

    /// <summary>
    /// Characters of awareness state remembered per note (1 Mi); a new client or a grown state past it is
    /// ignored, like a client past <see cref="MaxAwarenessClients"/>, so a note's hub stays small whatever its sockets send.
    /// </summary>
    public const int MaxAwarenessChars = 1024 * 1024;

    private long _awarenessChars;

    private readonly Lock _gate = new();
    private INotePeer[] _peers = [];
    private readonly Dictionary<ulong, (AwarenessEntry Entry, INotePeer? Owner)> _awareness = [];

    public string UserId { get; } = userId;

    public string NoteId { get; } = noteId;

    /// <summary>Counts joins not yet matched by a leave, so the registry knows when to drop the hub.</summary>
    public int References { get; set; }

    public int PeerCount => Volatile.Read(ref _peers).Length;

    /// <summary>
    /// Adds a peer (sent at once the updates fanned out early and not stored yet) and returns the current
    /// awareness states as one update (null when none).
    /// </summary>
    public byte[]? Join(INotePeer peer)
    {
        AddPeer(peer);
        return CurrentAwareness();
    }

    /// <summary>Characters of awareness state remembered now (bounded by <see cref="MaxAwarenessChars"/>).</summary>
    public long AwarenessChars
    {
        get
        {
            lock (_gate)
            {
                return _awarenessChars;
            }
        }
    }

    /// <summary>The awareness states known here as one update (null when none), for a query-awareness message.</summary>
    public byte[]? CurrentAwareness()
    {
        lock (_gate)
        {
            return _awareness.Count == 0 ? null : AwarenessUpdate.Encode(_awareness.Values.Select(v => v.Entry).ToList());
        }
    }

    /// <summary>Removes a peer; returns the update that removes its awareness clients for the others (null when none).</summary>
    public byte[]? Leave(INotePeer peer)
    {
        List<AwarenessEntry> removed = [];
        INotePeer[] others;
        lock (_gate)
        {
            _peers = _peers.Where(p => !ReferenceEquals(p, peer)).ToArray();
            foreach (var (clientId, (entry, owner)) in _awareness.ToList())
            {
                if (ReferenceEquals(owner, peer))
                {
                    _awareness.Remove(clientId);
                    _awarenessChars -= entry.State.Length;
                    removed.Add(entry with { Clock = entry.Clock + 1, State = "null" });
                }
            }

            others = _peers;
        }

        if (removed.Count == 0)
        {
            return null;
        }

        var update = AwarenessUpdate.Encode(removed);
        foreach (var other in others)
        {
            other.SendAwareness(update);
        }

        return update;
    }

    /// <summary>Sends a stored update to every peer but <paramref name="origin"/> (which has it already).</summary>
    public void BroadcastUpdate(byte[] update, INotePeer? origin)
    {
        var outgoing = new OutgoingUpdate(update);
        foreach (var peer in Volatile.Read(ref _peers))
        {
            if (!ReferenceEquals(peer, origin))
            {
                peer.SendUpdate(outgoing);
            }
        }
    }

    /// <summary>
    /// Applies awareness entries (from a local peer, or from another process when <paramref name="owner"/> is
    /// null) by the y-protocols rules, and relays the entries that changed something to every peer, the sender
    /// included: y-websocket clients count their own echoed renewals as signs of life. A client id belongs to
    /// the peer it first came from: y-websocket clients send back every state they receive, and an echo
    /// must not make the echoing socket the owner (its close would remove the others' cursors). Returns the
    /// relayed update, or null when nothing changed.
    /// </summary>
    public byte[]? ApplyAwareness(IReadOnlyList<AwarenessEntry> entries, INotePeer? owner)
    {
        List<AwarenessEntry> changed = [];
        INotePeer[] peers;
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                var known = _awareness.TryGetValue(entry.ClientId, out var current);
                if (entry.Removed)
                {
                    if (known && entry.Clock >= current.Entry.Clock)
                    {
                        _awareness.Remove(entry.ClientId);
                        _awarenessChars -= current.Entry.State.Length;
                        changed.Add(entry);
                    }
                }
                else if ((known ? entry.Clock > current.Entry.Clock : _awareness.Count < MaxAwarenessClients)
                    && _awarenessChars - (known ? current.Entry.State.Length : 0) + entry.State.Length <= MaxAwarenessChars)
                {
                    _awarenessChars += entry.State.Length - (known ? current.Entry.State.Length : 0);
                    _awareness[entry.ClientId] = (entry, known ? current.Owner : owner);
                    changed.Add(entry);
                }
            }

            peers = _peers;
        }

        if (changed.Count == 0)
        {
            return null;
        }

        var update = AwarenessUpdate.Encode(changed);
        foreach (var peer in peers)
        {
            peer.SendAwareness(update);
        }

        return update;
    }
}
