using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt;

/// <summary>
/// A Yjs-compatible document: named root types (<see cref="GetText"/>, <see cref="GetMap"/>,
/// <see cref="GetArray"/>) over a struct store, changed in transactions and exchanged as Yjs v1 updates.
/// Not thread-safe: use one document from one thread at a time.
/// </summary>
public sealed partial class YDoc
{
    /// <summary>The largest client id: 2^53-1 (a JavaScript safe integer).</summary>
    public const ulong MaxClientId = (1UL << 53) - 1;

    private readonly Random _random;
    private readonly Dictionary<string, AbstractType> _share = new(StringComparer.Ordinal);
    private ulong _clientId;

    /// <summary>Creates an empty document.</summary>
    /// <param name="options">Client id, GC and random source; null for the defaults.</param>
    public YDoc(YDocOptions? options = null)
    {
        _random = options?.Random ?? new Random();
        ClientId = options?.ClientId ?? GenerateClientId();
        Gc = options?.Gc ?? true;
    }

    /// <summary>
    /// This replica's client id, used for every local insert. At most <see cref="MaxClientId"/>; changing it
    /// starts a new clock sequence for the new id.
    /// </summary>
    public ulong ClientId
    {
        get => _clientId;
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxClientId);
            _clientId = value;
        }
    }

    /// <summary>Whether deleted content is garbage collected after each transaction (default true).</summary>
    public bool Gc { get; set; }

    /// <summary>
    /// True when the document holds structs or deletions that could not be integrated yet because the update
    /// they came in depends on one not received. They are kept, retried on every update and included in
    /// <see cref="EncodeStateAsUpdate"/>.
    /// </summary>
    public bool HasPending => Store.Pending is not null || Store.PendingDeleteSet is not null;

    /// <summary>Raised after each transaction that changed something, with its V1 update.</summary>
    public event EventHandler<YUpdateEventArgs>? UpdateV1;

    internal StructStore Store { get; } = new();

    internal HashSet<Item> ConflictSetA { get; } = [];

    internal HashSet<Item> ConflictSetB { get; } = [];

    /// <summary>The names of the root types that exist (including ones only created by applied updates).</summary>
    public IEnumerable<string> RootNames => _share.Keys;

    private long _markerClock;

    /// <summary>A per-document counter that orders search-marker use (yjs keeps a global one; only the order matters).</summary>
    internal long NextMarkerTimestamp() => _markerClock++;

    private ulong GenerateClientId() => (ulong)(uint)_random.NextInt64(0, 1L << 32);

    /// <summary>The root text named <paramref name="name"/>, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The name is already used by a root of another type.</exception>
    public YText GetText(string name) => GetRoot(name, static () => new YText());

    /// <summary>The root map named <paramref name="name"/>, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The name is already used by a root of another type.</exception>
    public YMap GetMap(string name) => GetRoot(name, static () => new YMap());

    /// <summary>The root array named <paramref name="name"/>, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The name is already used by a root of another type.</exception>
    public YArray GetArray(string name) => GetRoot(name, static () => new YArray());

    /// <summary>The root XML fragment named <paramref name="name"/>, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The name is already used by a root of another type.</exception>
    public YXmlFragment GetXmlFragment(string name) => GetRoot(name, static () => new YXmlFragment());

    private T GetRoot<T>(string name, Func<T> create)
        where T : AbstractType
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_share.TryGetValue(name, out var existing))
        {
            if (existing is T typed)
            {
                return typed;
            }

            if (existing is not UntypedRoot placeholder)
            {
                throw new InvalidOperationException($"Root '{name}' is a {existing.GetType().Name}, not a {typeof(T).Name}.");
            }

            // An update created the root before the application asked for it: adopt its content.
            var root = create();
            root.AdoptFrom(placeholder);
            _share[name] = root;
            return root;
        }

        var created = create();
        created.Doc = this;
        created.RootName = name;
        _share.Add(name, created);
        return created;
    }

    /// <summary>The root named <paramref name="name"/>, or an untyped placeholder when an update refers to it first.</summary>
    internal AbstractType GetOrCreateRoot(string name)
    {
        if (!_share.TryGetValue(name, out var type))
        {
            type = new UntypedRoot { Doc = this, RootName = name };
            _share.Add(name, type);
        }

        return type;
    }

    /// <summary>The root type named <paramref name="name"/> as it is (possibly untyped), or null.</summary>
    public AbstractType? GetRootOrNull(string name) => _share.TryGetValue(name, out var type) ? type : null;
}
