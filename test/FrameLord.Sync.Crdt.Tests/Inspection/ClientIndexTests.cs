using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt.Tests.Inspection;

/// <summary>
/// The client → section index of the inspection: right for any ids, refusing a client listed twice, and
/// bounded in work when the ids are chosen to collide (it leaves hashing for a sorted search).
/// </summary>
public class ClientIndexTests
{
    /// <summary>Ids whose low and high halves are equal: all fold to slot 0.</summary>
    private static ulong Colliding(int k) => ((ulong)(k + 1) << 32) | (uint)(k + 1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SectionOf_FindsEveryClientAndNoOther(bool colliding)
    {
        const int Count = 20_000;
        var rng = new Random(4711);
        var clients = Enumerable.Range(0, Count).Select(k => colliding ? Colliding(k) : (ulong)rng.NextInt64(1, 1L << 53)).Distinct().ToArray();
        var sections = Enumerable.Range(0, clients.Length).Select(k => k % 7 == 0 ? -1 : k).ToArray();
        using var index = new ClientIndex(clients.Length, clients, sections);
        Assert.Equal(!colliding, index.IsHashed);
        for (var k = 0; k < clients.Length; k++)
        {
            Assert.Equal(sections[k], index.SectionOf(clients[k]));
        }

        Assert.Equal(-1, index.SectionOf(0));
        Assert.Equal(-1, index.SectionOf(Colliding(Count + 5)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Constructor_ClientListedTwice_Throws(bool colliding)
    {
        var clients = Enumerable.Range(0, 5_000).Select(k => colliding ? Colliding(k) : (ulong)(1_000 + (7 * k))).ToList();
        clients.Insert(2_500, clients[4_000]);
        var array = clients.ToArray();
        Assert.Throws<YjsFormatException>(() => new ClientIndex(array.Length, array, new int[array.Length]));
    }

    [Fact]
    public void Inspect_SectionsWithCollidingClients_IntegratesAndEncodesTheVector()
    {
        // Independent clients each inserting "a" at the root "t", listed in no particular order.
        const int Count = 5_000;
        using var writer = new ByteWriter();
        writer.WriteVarUint((ulong)Count);
        for (var k = 0; k < Count; k++)
        {
            writer.WriteVarUint(1UL);
            writer.WriteVarUint(Colliding((k * 37) % Count));
            writer.WriteVarUint(0UL);
            writer.WriteByte(0x04);
            writer.WriteVarUint(1UL);
            writer.WriteString("t");
            writer.WriteString("a");
        }

        writer.WriteVarUint(0UL);
        var inspection = YUpdateInspection.Inspect(writer.ToArray(), new Dictionary<ulong, long>(), YUpdate.Empty);
        Assert.True(inspection.Integrates);
        Assert.Equal(Count, inspection.After.Count);
        Assert.All(inspection.After.Values, clock => Assert.Equal(1, clock));
        Assert.Equal(YUpdate.EncodeStateVector(inspection.After), inspection.AfterStateVector);
    }
}
