using System.Security.Cryptography;

namespace FrameLord.Sync.Server.Engine;

/// <summary>Makes the server's ids (users, Contact Zero, conflicts). Replaceable so a simulation can be deterministic.</summary>
public interface IIdGenerator
{
    /// <summary>A new id: the prefix, an underscore, then 26 lower-case base-32 characters (128 bits).</summary>
    string NewId(string prefix);
}

/// <summary>Ids from the operating system's cryptographic random source.</summary>
public sealed class RandomIdGenerator : IIdGenerator
{
    public string NewId(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Format(prefix, bytes);
    }

    internal static string Format(string prefix, ReadOnlySpan<byte> bytes)
    {
        const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
        Span<char> chars = stackalloc char[prefix.Length + 1 + 26];
        prefix.AsSpan().CopyTo(chars);
        chars[prefix.Length] = '_';
        var bits = 0;
        var buffer = 0;
        var at = prefix.Length + 1;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[at++] = Alphabet[(buffer >> bits) & 31];
            }
        }

        if (bits > 0)
        {
            chars[at++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars[..at]);
    }
}

/// <summary>Ids from a seeded generator: the same seed gives the same ids (for simulations and tests).</summary>
public sealed class SeededIdGenerator(int seed) : IIdGenerator
{
    private readonly Random _random = new(seed);

    public string NewId(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_random)
        {
            _random.NextBytes(bytes);
        }

        return RandomIdGenerator.Format(prefix, bytes);
    }
}
