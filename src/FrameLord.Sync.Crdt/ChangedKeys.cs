namespace FrameLord.Sync.Crdt;

/// <summary>What changed in one type during a transaction: its list content and/or some map keys.</summary>
internal sealed class ChangedKeys
{
    private HashSet<string>? _keys;

    /// <summary>Whether the list content (text, array elements) changed.</summary>
    public bool List { get; private set; }

    public IReadOnlyCollection<string> Keys => _keys ?? (IReadOnlyCollection<string>)[];

    public void Add(string? key)
    {
        if (key is null)
        {
            List = true;
        }
        else
        {
            (_keys ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
        }
    }
}
