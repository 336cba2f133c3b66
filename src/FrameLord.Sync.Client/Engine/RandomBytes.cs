namespace FrameLord.Sync.Client.Engine;

/// <summary>Bytes from the client's seeded random source, which several parts share: every draw locks it.</summary>
internal static class RandomBytes
{
    public static byte[] Next(Random random, int count)
    {
        var bytes = new byte[count];
        lock (random)
        {
            random.NextBytes(bytes);
        }

        return bytes;
    }
}
