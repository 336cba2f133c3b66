using FrameLord.Sync.Crdt.Events;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// A shared map from string keys to values: JSON-like values (null, bool, numbers, strings, lists,
/// string-keyed dictionaries), byte arrays, or nested shared types. Concurrent sets of one key converge to
/// one value, chosen exactly as yjs chooses it.
/// </summary>
public sealed class YMap : AbstractType
{
    internal override int TypeRef => 1;

    /// <summary>Number of keys with a value.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var _ in MapEntries())
            {
                count++;
            }

            return count;
        }
    }

    /// <summary>The keys with a value, in no particular order.</summary>
    public IEnumerable<string> Keys => MapEntries().Select(static e => e.Key);

    /// <summary>The key/value pairs, in no particular order.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Entries => MapEntries();

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> and returns the value. A new shared type passed
    /// here becomes part of the document and can be used through the returned reference.
    /// </summary>
    /// <exception cref="ArgumentException">The value's type is not supported.</exception>
    public T Set<T>(string key, T value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            MapSet(transaction, key, value);
        }
        finally
        {
            doc.End(initial);
        }

        return value;
    }

    /// <summary>The value of <paramref name="key"/>, or null when the key has none.</summary>
    public object? Get(string key) => MapGet(key);

    /// <summary>The value of <paramref name="key"/> as <typeparamref name="T"/>, or default.</summary>
    public T? Get<T>(string key) => MapGet(key) is T value ? value : default;

    /// <summary>Whether <paramref name="key"/> has a value.</summary>
    public bool Has(string key) => MapHas(key);

    /// <summary>Removes the value of <paramref name="key"/> (nothing happens when it has none).</summary>
    public void Delete(string key)
    {
        var doc = RequireDoc();
        var transaction = doc.Begin(null, local: true, out var initial);
        try
        {
            MapDelete(transaction, key);
        }
        finally
        {
            doc.End(initial);
        }
    }

    /// <summary>A dictionary snapshot; nested types become their JSON.</summary>
    public override object? ToJson()
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in MapEntries())
        {
            result[key] = value is AbstractType type ? type.ToJson() : value;
        }

        return result;
    }

    private protected override YEvent CreateEvent(Transaction transaction, ChangedKeys keysChanged) => new YMapEvent(this, transaction, keysChanged);
}
