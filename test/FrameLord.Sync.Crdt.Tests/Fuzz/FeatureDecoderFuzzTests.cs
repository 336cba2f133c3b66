using FrameLord.Sync.Crdt.Tests.Interop;

namespace FrameLord.Sync.Crdt.Tests.Fuzz;

/// <summary>
/// Untrusted V2 updates, relative positions and snapshots: seeded mutations (bit flips, truncations, inserted
/// bytes, huge varUints) of valid ones either decode or throw <see cref="YjsFormatException"/>, nothing else;
/// a V2 update that fails leaves the document unchanged.
/// </summary>
public sealed class FeatureDecoderFuzzTests
{
    public static TheoryData<int> Seeds => RandomSessionTests.Seeds(20, 20_000);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedInputs_DecodeOrThrowFormatException(int seed)
    {
        var rng = new Random(seed);
        var gen = new ScenarioGenerator(rng, formatting: true, nested: true);
        gen.AddClients(3, 5);
        gen.RandomSteps(30);
        gen.SyncAll();
        var doc = gen.Runner.Docs[0];
        var v2 = doc.EncodeStateAsUpdateV2();
        var position = YRelativePosition.FromTypeIndex(doc.GetText("t"), rng.Next(doc.GetText("t").Length + 1), rng.Next(3) - 1).Encode();
        var snapshot = YSnapshot.Of(doc);
        byte[][] valid = [v2, position, snapshot.Encode(), snapshot.EncodeV2()];
        for (var round = 0; round < 200; round++)
        {
            var kind = rng.Next(valid.Length);
            var input = Mutate(valid[kind], rng);
            var label = $"seed {seed}, round {round}, kind {kind}: {Convert.ToHexString(input)}";
            try
            {
                switch (kind)
                {
                    case 0:
                        var target = new YDoc(new YDocOptions { ClientId = 9 });
                        target.GetText("t").Insert(0, "keep");
                        var before = target.EncodeStateAsUpdate();
                        try
                        {
                            target.ApplyUpdateV2(input);
                        }
                        catch (YjsFormatException)
                        {
                            Assert.True(before.AsSpan().SequenceEqual(target.EncodeStateAsUpdate()), $"{label}: a failed update changed the document");
                            throw;
                        }

                        break;
                    case 1:
                        YRelativePosition.Decode(input).ToAbsolute(doc);
                        break;
                    case 2:
                        YSnapshot.Decode(input);
                        break;
                    default:
                        YSnapshot.DecodeV2(input);
                        break;
                }
            }
            catch (YjsFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{label}: threw {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static byte[] Mutate(byte[] input, Random rng)
    {
        var bytes = new List<byte>(input);
        switch (rng.Next(4))
        {
            case 0 when bytes.Count > 0:
                var at = rng.Next(bytes.Count);
                bytes[at] ^= (byte)(1 << rng.Next(8));
                break;
            case 1 when bytes.Count > 1:
                var start = rng.Next(bytes.Count);
                bytes.RemoveRange(start, 1 + rng.Next(Math.Min(4, bytes.Count - start)));
                break;
            case 2:
                bytes.Insert(rng.Next(bytes.Count + 1), (byte)rng.Next(256));
                break;
            default:
                bytes.InsertRange(rng.Next(bytes.Count + 1), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
                break;
        }

        return [.. bytes];
    }
}
