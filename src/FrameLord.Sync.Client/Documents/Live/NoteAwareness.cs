using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol.Lib0;

namespace FrameLord.Sync.Client;

/// <summary>
/// Presence on an open note (y-protocols awareness, DESIGN 3.8): this device's state, which the app sets (a user
/// name, a cursor as relative positions), and the states of the other clients on the note, which arrive over the
/// live socket. Never stored. A remote state goes when its client leaves (the server says so when its socket
/// closes), when this device's socket closes (nobody is known then), or when it was not renewed for
/// <see cref="OutdatedTimeout"/>; this device renews its own state every half of that while connected.
/// States are JSON objects, as every y-websocket client on the web reads them. <see cref="Changed"/> is raised on
/// the thread that made the change (the app's for its own state, the socket's for the others).
/// </summary>
public sealed class NoteAwareness
{
    /// <summary>A remote state not renewed for this long is removed (y-protocols' 30 s).</summary>
    public static readonly TimeSpan OutdatedTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<ulong, string> _states = [];
    private readonly Dictionary<ulong, (ulong Clock, DateTimeOffset LastUpdated)> _meta = [];

    internal NoteAwareness(ulong clientId, TimeProvider time)
    {
        ClientId = clientId;
        _time = time;
    }

    /// <summary>This device's awareness client id: the note document's Yjs client id, as Yjs editors expect.</summary>
    public ulong ClientId { get; }

    /// <summary>Raised when a client came, changed its state or left.</summary>
    public event EventHandler<AwarenessChangedEventArgs>? Changed;

    /// <summary>An encoded awareness update to send (this device's state changed or was renewed); the live connection sends it.</summary>
    internal event Action<byte[]>? LocalUpdate;

    /// <summary>This device's state (a copy), or null when it has none.</summary>
    public JsonObject? LocalState => GetState(ClientId);

    /// <summary>Sets this device's whole state (null: none, the others see this client leave).</summary>
    public void SetLocalState(JsonObject? state)
    {
        var json = state?.ToJsonString() ?? "null";
        byte[] update;
        bool added, removed, updated;
        lock (_gate)
        {
            var had = _states.TryGetValue(ClientId, out var previous);
            var clock = _meta.TryGetValue(ClientId, out var meta) ? meta.Clock + 1 : 0;
            if (state is null)
            {
                _states.Remove(ClientId);
            }
            else
            {
                _states[ClientId] = json;
            }

            _meta[ClientId] = (clock, _time.GetUtcNow());
            update = AwarenessUpdate.Encode([new AwarenessEntry(ClientId, clock, json)]);
            added = !had && state is not null;
            removed = had && state is null;
            updated = had && state is not null && !string.Equals(previous, json, StringComparison.Ordinal);
        }

        LocalUpdate?.Invoke(update);
        if (added || removed || updated)
        {
            Changed?.Invoke(this, new AwarenessChangedEventArgs(
                added ? [ClientId] : [], updated ? [ClientId] : [], removed ? [ClientId] : [], isLocal: true));
        }
    }

    /// <summary>Sets one field of this device's state (creating the state when there is none).</summary>
    public void SetLocalStateField(string field, JsonNode? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        var state = LocalState ?? [];
        state[field] = value?.DeepClone();
        SetLocalState(state);
    }

    /// <summary>
    /// Sets this device's cursor the way Yjs editor bindings share it: <c>cursor: {anchor, head}</c>, each a
    /// relative position in <c>Y.relativePositionToJSON</c> form, so it stays on its character while others type.
    /// Null clears it.
    /// </summary>
    public void SetCursor(YRelativePosition? anchor, YRelativePosition? head)
    {
        SetLocalStateField("cursor", anchor is null || head is null
            ? null
            : new JsonObject { ["anchor"] = JsonNode.Parse(anchor.ToJson()), ["head"] = JsonNode.Parse(head.ToJson()) });
    }

    /// <summary>The cursor of a state set by <see cref="SetCursor"/> or a Yjs editor binding, or null when it has none or it does not read.</summary>
    public static (YRelativePosition Anchor, YRelativePosition Head)? ReadCursor(JsonObject? state)
    {
        if (state?["cursor"] is not JsonObject cursor || cursor["anchor"] is not JsonObject anchor || cursor["head"] is not JsonObject head)
        {
            return null;
        }

        try
        {
            return (YRelativePosition.FromJson(anchor.ToJsonString()), YRelativePosition.FromJson(head.ToJsonString()));
        }
        catch (YjsFormatException)
        {
            return null;
        }
    }

    /// <summary>One client's state (a copy), or null when it is not known.</summary>
    public JsonObject? GetState(ulong clientId)
    {
        string? json;
        lock (_gate)
        {
            _states.TryGetValue(clientId, out json);
        }

        return json is null ? null : Parse(json);
    }

    /// <summary>Every known state by client id, this device's included (copies).</summary>
    public IReadOnlyDictionary<ulong, JsonObject> GetStates()
    {
        List<KeyValuePair<ulong, string>> all;
        lock (_gate)
        {
            all = [.. _states];
        }

        var states = new Dictionary<ulong, JsonObject>();
        foreach (var (client, json) in all)
        {
            if (Parse(json) is { } state)
            {
                states[client] = state;
            }
        }

        return states;
    }

    private static JsonObject? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // another client's state that is not JSON: shown as absent
        }
    }

    /// <summary>
    /// This device's state as one update with a new clock (null when it has none), for a (re)connect and the
    /// server's query: after a leave the others know a newer clock than the one the state last had.
    /// </summary>
    internal byte[]? EncodeLocal()
    {
        lock (_gate)
        {
            if (!_states.TryGetValue(ClientId, out var json))
            {
                return null;
            }

            var clock = _meta[ClientId].Clock + 1;
            _meta[ClientId] = (clock, _time.GetUtcNow());
            return AwarenessUpdate.Encode([new AwarenessEntry(ClientId, clock, json)]);
        }
    }

    /// <summary>
    /// Applies an awareness update from the socket by the y-protocols rules: a newer clock wins, a removal at the
    /// same clock removes; nobody removes this device's state (its clock is raised and it is sent again).
    /// </summary>
    internal void ApplyRemote(ReadOnlySpan<byte> update)
    {
        var entries = AwarenessUpdate.Decode(update);
        List<ulong> added = [], updated = [], removed = [];
        byte[]? reassert = null;
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                var known = _meta.TryGetValue(entry.ClientId, out var meta);
                var current = known ? meta.Clock : 0;
                var has = _states.TryGetValue(entry.ClientId, out var previous);
                if (known && !(current < entry.Clock || (current == entry.Clock && entry.Removed && has)))
                {
                    continue;
                }

                if (entry.ClientId == ClientId)
                {
                    if (entry.Removed && has)
                    {
                        // Another client said this device left: it has not, so it says so with a newer clock.
                        var clock = entry.Clock + 1;
                        _meta[ClientId] = (clock, now);
                        reassert = AwarenessUpdate.Encode([new AwarenessEntry(ClientId, clock, previous!)]);
                    }

                    continue;
                }

                _meta[entry.ClientId] = (entry.Clock, now);
                if (entry.Removed)
                {
                    if (_states.Remove(entry.ClientId))
                    {
                        removed.Add(entry.ClientId);
                    }
                }
                else
                {
                    _states[entry.ClientId] = entry.State;
                    if (!has)
                    {
                        added.Add(entry.ClientId);
                    }
                    else if (!string.Equals(previous, entry.State, StringComparison.Ordinal))
                    {
                        updated.Add(entry.ClientId);
                    }
                }
            }
        }

        if (reassert is not null)
        {
            LocalUpdate?.Invoke(reassert);
        }

        Raise(added, updated, removed);
    }

    /// <summary>
    /// Housekeeping on the connection's clock: removes remote states older than <see cref="OutdatedTimeout"/>, and
    /// renews this device's state when it is half that old (others would time it out). Returns the renewal to send.
    /// </summary>
    internal byte[]? Tick()
    {
        var now = _time.GetUtcNow();
        List<ulong> removed = [];
        byte[]? renewal = null;
        lock (_gate)
        {
            foreach (var (client, meta) in _meta.ToList())
            {
                if (client == ClientId)
                {
                    if (_states.TryGetValue(ClientId, out var json) && now - meta.LastUpdated >= OutdatedTimeout / 2)
                    {
                        _meta[ClientId] = (meta.Clock + 1, now);
                        renewal = AwarenessUpdate.Encode([new AwarenessEntry(ClientId, meta.Clock + 1, json)]);
                    }
                }
                else if (now - meta.LastUpdated >= OutdatedTimeout && _states.Remove(client))
                {
                    removed.Add(client);
                }
            }
        }

        Raise([], [], removed);
        return renewal;
    }

    /// <summary>The socket closed: the other clients are not known any more (y-websocket does the same).</summary>
    internal void RemoveRemoteStates()
    {
        List<ulong> removed = [];
        lock (_gate)
        {
            foreach (var client in _states.Keys.ToList())
            {
                if (client != ClientId)
                {
                    _states.Remove(client);
                    _meta.Remove(client);
                    removed.Add(client);
                }
            }
        }

        Raise([], [], removed);
    }

    /// <summary>The update that tells the others this device left (sent before a clean close), or null when it had no state.</summary>
    internal byte[]? EncodeLeaving()
    {
        lock (_gate)
        {
            if (!_states.ContainsKey(ClientId) || !_meta.TryGetValue(ClientId, out var meta))
            {
                return null;
            }

            _meta[ClientId] = (meta.Clock + 1, meta.LastUpdated);
            return AwarenessUpdate.Encode([new AwarenessEntry(ClientId, meta.Clock + 1, "null")]);
        }
    }

    private void Raise(List<ulong> added, List<ulong> updated, List<ulong> removed)
    {
        if (added.Count + updated.Count + removed.Count > 0)
        {
            Changed?.Invoke(this, new AwarenessChangedEventArgs(added, updated, removed, isLocal: false));
        }
    }
}
