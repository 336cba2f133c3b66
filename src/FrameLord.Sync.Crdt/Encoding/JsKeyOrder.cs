namespace FrameLord.Sync.Crdt.Encoding;

/// <summary>
/// Enumerates an object's keys in JavaScript <c>Object.keys</c> order: array-index keys ("0", "1", ... up to
/// 2^32-2) ascending first, then the other keys in insertion order. Byte equality with yjs depends on it.
/// </summary>
internal static class JsKeyOrder
{
    public static IEnumerable<KeyValuePair<string, object?>> Ordered(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        List<KeyValuePair<string, object?>>? indexKeys = null;
        foreach (var entry in entries)
        {
            if (IsArrayIndex(entry.Key, out _))
            {
                (indexKeys ??= []).Add(entry);
            }
        }

        if (indexKeys is null)
        {
            return entries;
        }

        indexKeys.Sort(static (a, b) =>
        {
            IsArrayIndex(a.Key, out var x);
            IsArrayIndex(b.Key, out var y);
            return x.CompareTo(y);
        });
        var rest = new List<KeyValuePair<string, object?>>(indexKeys);
        foreach (var entry in entries)
        {
            if (!IsArrayIndex(entry.Key, out _))
            {
                rest.Add(entry);
            }
        }

        return rest;
    }

    private static bool IsArrayIndex(string key, out uint index)
    {
        index = 0;
        if (key.Length == 0 || key.Length > 10 || (key.Length > 1 && key[0] == '0'))
        {
            return false;
        }

        ulong value = 0;
        foreach (var c in key)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        if (value >= uint.MaxValue)
        {
            return false;
        }

        index = (uint)value;
        return true;
    }
}
