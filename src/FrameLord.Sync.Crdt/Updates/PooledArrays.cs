using System.Buffers;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// The inspection's working arrays, rented from the shared pool: a server checks every large update with
/// arrays of the same few sizes, and fresh ones would each be a large-object allocation, zeroed and
/// faulted in page by page and then collected. Rented arrays are neither zeroed nor trimmed to size: a
/// user writes every element it reads.
/// </summary>
internal static class PooledArrays
{
    public static T[] Rent<T>(int length) => ArrayPool<T>.Shared.Rent(Math.Max(length, 16));

    public static void Return<T>(T[]? array)
    {
        if (array is not null)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }

    /// <summary>Makes room for one more element at <paramref name="count"/>, moving to a twice larger rented array when full.</summary>
    public static void Grow<T>(ref T[] array, int count)
    {
        if (count < array.Length)
        {
            return;
        }

        var larger = Rent<T>(2 * array.Length);
        Array.Copy(array, larger, count);
        Return(array);
        array = larger;
    }
}
