using System.Numerics;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// Client → section for the clients of one update: an open-addressing table over the update's own arrays
/// (no entry objects, one or two probes a lookup), which turns itself into a sorted array searched by
/// bisection once the probes exceed a few per insert and lookup. Client ids come from the sender, who can
/// pick ones that collide in any fixed hash; the budget bounds what that costs at O(n log n) in all.
/// </summary>
internal sealed class ClientIndex : IDisposable
{
    private const int ProbesPerOperation = 8;
    private const int SlackProbes = 1024;

    private readonly int _count;
    private ulong[] _clients;
    private int[] _sections;
    private int[]? _slots;
    private readonly int _mask;
    private long _operations;
    private long _probes;

    /// <param name="count">How many clients <paramref name="clients"/> holds (each section's, structs or none).</param>
    /// <param name="clients">The clients in the update's order.</param>
    /// <param name="sections">Per client its section, -1 for one without structs.</param>
    /// <exception cref="YjsFormatException">A client appears twice.</exception>
    public ClientIndex(int count, ulong[] clients, int[] sections)
    {
        _count = count;
        _clients = clients;
        _sections = sections;
        _slots = PooledArrays.Rent<int>((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * count)));
        _mask = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * count)) - 1;
        Array.Clear(_slots, 0, _mask + 1);
        for (var i = 0; i < count; i++)
        {
            if (_slots is null)
            {
                Sort();
                return;
            }

            Insert(i);
        }
    }

    /// <summary>False once the index has left hashing for a sorted search.</summary>
    public bool IsHashed => _slots is not null;

    /// <summary>The section of <paramref name="client"/>: -1 when the update has none for it, or one without structs.</summary>
    public int SectionOf(ulong client)
    {
        if (_slots is not null)
        {
            _operations++;
            var slots = _slots;
            var mask = _mask;
            for (var slot = Slot(client); ; slot = (slot + 1) & mask)
            {
                _probes++;
                var entry = slots[slot];
                if (entry == 0)
                {
                    return -1;
                }

                if (_clients[entry - 1] == client)
                {
                    return _sections[entry - 1];
                }

                if (_probes > (ProbesPerOperation * _operations) + SlackProbes)
                {
                    Sort();
                    break;
                }
            }
        }

        var found = Array.BinarySearch(_clients, 0, _count, client);
        return found < 0 ? -1 : _sections[found];
    }

    public void Dispose()
    {
        PooledArrays.Return(_slots);
        _slots = null;
    }

    private void Insert(int i)
    {
        _operations++;
        var client = _clients[i];
        var slots = _slots!;
        var mask = _mask;
        for (var slot = Slot(client); ; slot = (slot + 1) & mask)
        {
            _probes++;
            var entry = slots[slot];
            if (entry == 0)
            {
                slots[slot] = i + 1;
                return;
            }

            if (_clients[entry - 1] == client)
            {
                throw new YjsFormatException($"Client {client} appears in two sections.");
            }

            if (_probes > (ProbesPerOperation * _operations) + SlackProbes)
            {
                Dispose();
                return;
            }
        }
    }

    /// <summary>
    /// The id's own low bits (folded with its high ones): random ids spread by themselves, and consecutive ids
    /// land in consecutive slots, so walking such an update walks the table in order. Ids chosen to collide
    /// only exhaust the probe budget.
    /// </summary>
    private int Slot(ulong client) => (int)((uint)client ^ (uint)(client >> 32)) & _mask;

    /// <summary>Leaves hashing for bisection over a sorted copy (refusing a client listed twice).</summary>
    private void Sort()
    {
        Dispose();
        var clients = new ulong[_count];
        var sections = new int[_count];
        Array.Copy(_clients, clients, _count);
        Array.Copy(_sections, sections, _count);
        Array.Sort(clients, sections);
        for (var i = 1; i < _count; i++)
        {
            if (clients[i] == clients[i - 1])
            {
                throw new YjsFormatException($"Client {clients[i]} appears in two sections.");
            }
        }

        (_clients, _sections) = (clients, sections);
    }
}
