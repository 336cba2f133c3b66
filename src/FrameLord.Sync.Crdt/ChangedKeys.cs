namespace FrameLord.Sync.Crdt;

/// <summary>What changed in one type during a transaction: its list content and/or some map keys.</summary>
internal sealed class ChangedKeys
{
    private HashSet<string>? _keys;

    private ChangedKeys(bool list)
    {
        List = list;
    }

    /// <summary>Shared, never modified: "only the list content changed" (the common case, no allocation).</summary>
    public static ChangedKeys ListOnly { get; } = new(list: true);

    /// <summary>Whether the list content (text, array elements) changed.</summary>
    public bool List { get; private set; }

    public IReadOnlyCollection<string> Keys => _keys ?? (IReadOnlyCollection<string>)[];

    public static ChangedKeys Create(string? key) => key is null ? ListOnly : new ChangedKeys(list: false).With(key);

    /// <summary>Adds a change; returns the instance to keep (a new one when this is the shared <see cref="ListOnly"/>).</summary>
    public ChangedKeys With(string? key)
    {
        if (key is null)
        {
            if (!List)
            {
                List = true;
            }

            return this;
        }

        var target = ReferenceEquals(this, ListOnly) ? new ChangedKeys(list: true) : this;
        (target._keys ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
        return target;
    }
}
