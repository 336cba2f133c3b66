using System.Numerics;
using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>JavaScript equality for attribute values: <c>===</c> and the flat object comparison yjs uses.</summary>
internal static class JsEquality
{
    /// <summary>JavaScript <c>===</c>: primitives by value (numbers numerically), objects by reference.</summary>
    public static bool StrictEquals(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        switch (a)
        {
            case string sa:
                return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case bool ba:
                return b is bool bb && ba == bb;
            case YUndefined:
                return b is YUndefined;
            case BigInteger ia:
                return b is BigInteger ib && ia == ib;
        }

        if (JsNumber.TryToDouble(a, out var da) && JsNumber.TryToDouble(b, out var db))
        {
            return da == db;
        }

        return false;
    }

    /// <summary>yjs <c>equalAttrs</c>: <c>===</c>, or two objects with the same keys and <c>===</c> values.</summary>
    public static bool AttrEquals(object? a, object? b)
    {
        if (StrictEquals(a, b))
        {
            return true;
        }

        if (a is IDictionary<string, object?> da && b is IDictionary<string, object?> db)
        {
            if (da.Count != db.Count)
            {
                return false;
            }

            foreach (var (key, value) in da)
            {
                if (!db.TryGetValue(key, out var other) || !StrictEquals(value, other))
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }
}
