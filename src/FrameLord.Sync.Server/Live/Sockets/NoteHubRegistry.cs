using FrameLord.Sync.Protocol.Lib0;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>
/// The hubs of the notes with open sockets in this process, keyed by (user, note) since note ids are per user,
/// and the per-user socket counts. Every update DocumentService accepts (from a socket, a REST sync or the SDK)
/// is fanned out to the note's hub here and offered to the other processes through <see cref="Relayed"/>.
/// </summary>
internal sealed class NoteHubRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string UserId, string NoteId), NoteHub> _hubs = [];
    private readonly Dictionary<string, int> _socketsPerUser = new(StringComparer.Ordinal);

    private readonly DocumentService _documents;
    private readonly int _maxBatchBytes;

    public NoteHubRegistry(DocumentService documents, Configuration.LimitOptions limits)
    {
        _documents = documents;
        _maxBatchBytes = limits.MaxYjsUpdateBytes;
        documents.UpdateAccepted += OnUpdateAccepted;
    }

    /// <summary>Raised for each update stored and each awareness change made in this process, for other processes.</summary>
    public event Action<RelayedNoteMessage>? Relayed;

    public int HubCount
    {
        get
        {
            lock (_gate)
            {
                return _hubs.Count;
            }
        }
    }

    /// <summary>Open live document sockets of every user in this process.</summary>
    public int TotalSocketCount
    {
        get
        {
            lock (_gate)
            {
                return _socketsPerUser.Values.Sum();
            }
        }
    }

    public int SocketCount(string userId)
    {
        lock (_gate)
        {
            return _socketsPerUser.GetValueOrDefault(userId);
        }
    }

    /// <summary>Counts a socket against its user's cap; false when the user already holds <paramref name="cap"/>.</summary>
    public bool TryOpenSocket(string userId, int cap)
    {
        lock (_gate)
        {
            var open = _socketsPerUser.GetValueOrDefault(userId);
            if (open >= cap)
            {
                return false;
            }

            _socketsPerUser[userId] = open + 1;
            return true;
        }
    }

    public void CloseSocket(string userId)
    {
        lock (_gate)
        {
            if (_socketsPerUser.TryGetValue(userId, out var open))
            {
                if (open <= 1)
                {
                    _socketsPerUser.Remove(userId);
                }
                else
                {
                    _socketsPerUser[userId] = open - 1;
                }
            }
        }
    }

    /// <summary>Joins a peer to its note's hub (creating it) and returns the hub and its current awareness (null when none).</summary>
    public (NoteHub Hub, byte[]? Awareness) Join(string userId, string noteId, INotePeer peer)
    {
        NoteHub hub;
        lock (_gate)
        {
            if (!_hubs.TryGetValue((userId, noteId), out hub!))
            {
                hub = new NoteHub(userId, noteId) { Precheck = _documents.TryAcceptLive };
                _hubs[(userId, noteId)] = hub;
            }

            hub.References++;
        }

        return (hub, hub.Join(peer));
    }

    /// <summary>
    /// Completes once the updates this process's hub of the note fanned out before the call are stored (at once
    /// when there is no hub or nothing is pending): a REST read waits on it, so it never lacks what a socket of the
    /// note here was already sent (see <see cref="NoteHub.WhenFannedOutStoredAsync"/>).
    /// </summary>
    public Task WhenFannedOutStoredAsync(string userId, string noteId)
    {
        NoteHub? hub;
        lock (_gate)
        {
            _hubs.TryGetValue((userId, noteId), out hub);
        }

        return hub?.WhenFannedOutStoredAsync() ?? Task.CompletedTask;
    }

    /// <summary>Leaves a hub: its awareness clients are removed for the others here and elsewhere; the last leave drops the hub.</summary>
    public void Leave(NoteHub hub, INotePeer peer)
    {
        var removal = hub.Leave(peer);
        if (removal is not null)
        {
            Relayed?.Invoke(new RelayedNoteMessage(hub.UserId, hub.NoteId, RelayedNoteMessage.AwarenessKind, removal));
        }

        lock (_gate)
        {
            // A hub whose queued updates are still being stored stays until they are (see Idle).
            if (--hub.References == 0 && !hub.IsWriting)
            {
                _hubs.Remove((hub.UserId, hub.NoteId));
            }
        }
    }

    /// <summary>
    /// Stores a socket's update through its note's queue (DocumentService.ApplyUpdatesAsync, the REST sync's
    /// checks, one append per batch); completes once it is stored. The update is not echoed to the socket that sent it.
    /// The other sockets here get it as soon as the hub's check accepts it, before it is stored (NoteHub.StoreAsync);
    /// other processes, REST clients' live events and acknowledgements only once it is stored.
    /// </summary>
    public Task<long?> StoreAsync(NoteHub hub, INotePeer peer, byte[] update) =>
        hub.StoreAsync(update, peer, _maxBatchBytes,
            (batch, known) => _documents.ApplyUpdatesAsync(hub.UserId, hub.NoteId, batch, known, CancellationToken.None), Idle);

    private void Idle(NoteHub hub)
    {
        lock (_gate)
        {
            if (hub.References == 0 && _hubs.TryGetValue((hub.UserId, hub.NoteId), out var current) && ReferenceEquals(current, hub))
            {
                _hubs.Remove((hub.UserId, hub.NoteId));
            }
        }
    }

    /// <summary>Relays an awareness update from a local peer to the note's sockets here and in other processes.</summary>
    public void Awareness(NoteHub hub, INotePeer peer, IReadOnlyList<AwarenessEntry> entries)
    {
        if (hub.ApplyAwareness(entries, peer) is { } changed)
        {
            Relayed?.Invoke(new RelayedNoteMessage(hub.UserId, hub.NoteId, RelayedNoteMessage.AwarenessKind, changed));
        }
    }

    /// <summary>An update or awareness change that came from another process: delivered to the local sockets only.</summary>
    public void DeliverRemote(RelayedNoteMessage message)
    {
        NoteHub? hub;
        lock (_gate)
        {
            _hubs.TryGetValue((message.UserId, message.NoteId), out hub);
        }

        if (hub is null || message.Payload is null)
        {
            return;
        }

        if (message.Kind == RelayedNoteMessage.AwarenessKind)
        {
            List<AwarenessEntry> entries;
            try
            {
                entries = AwarenessUpdate.Decode(message.Payload);
            }
            catch (Lib0FormatException)
            {
                return;
            }

            hub.ApplyAwareness(entries, owner: null);
        }
        else
        {
            hub.BroadcastUpdate(message.Payload, origin: null);
        }
    }

    /// <summary>Whether a note has sockets in this process (a relayed update too large to carry is then read back from the store).</summary>
    public bool HasHub(string userId, string noteId)
    {
        lock (_gate)
        {
            return _hubs.ContainsKey((userId, noteId));
        }
    }

    private void OnUpdateAccepted(string userId, string noteId, byte[] update, object? origin)
    {
        NoteHub? hub;
        lock (_gate)
        {
            _hubs.TryGetValue((userId, noteId), out hub);
        }

        if (origin is not FannedOutOrigin)
        {
            hub?.BroadcastUpdate(update, origin as INotePeer);
        }

        Relayed?.Invoke(new RelayedNoteMessage(userId, noteId, RelayedNoteMessage.UpdateKind, update));
    }
}

/// <summary>A document update or awareness update of one user's note, as carried between processes.</summary>
internal sealed record RelayedNoteMessage(string UserId, string NoteId, string Kind, byte[]? Payload)
{
    public const string UpdateKind = "u";
    public const string AwarenessKind = "a";
}
