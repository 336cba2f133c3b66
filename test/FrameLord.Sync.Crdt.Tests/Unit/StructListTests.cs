using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Tests.Unit;

/// <summary>The chunked struct list against a plain list: random appends, splits (inserts) and merges (range removals).</summary>
public sealed class StructListTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomOperations_MatchReferenceList(int seed)
    {
        var rng = new Random(seed);
        var list = new StructList(7);
        var reference = new List<AbstractStruct>();
        long clock = 0;
        for (var step = 0; step < 20_000; step++)
        {
            var roll = rng.Next(10);
            if (roll < 4 || reference.Count == 0)
            {
                var s = new GcStruct(7, clock, 1 + rng.Next(5));
                clock += s.Length;
                list.Add(s);
                reference.Add(s);
            }
            else if (roll < 7)
            {
                // Split a struct in two, as a split item is inserted after its left half.
                var i = rng.Next(reference.Count);
                var s = reference[i];
                if (s.Length > 1)
                {
                    var diff = 1 + rng.Next((int)s.Length - 1);
                    var right = new GcStruct(7, s.Clock + diff, s.Length - diff);
                    s.Length = diff;
                    list.Insert(i + 1, right);
                    reference.Insert(i + 1, right);
                }
            }
            else
            {
                // Merge a run of neighbours into the first, as merging removes the merged structs.
                var i = rng.Next(reference.Count);
                var n = Math.Min(reference.Count - i - 1, rng.Next(4));
                for (var k = 1; k <= n; k++)
                {
                    reference[i].Length += reference[i + k].Length;
                }

                list.RemoveRange(i + 1, n);
                reference.RemoveRange(i + 1, n);
            }

            if (step % 997 == 0 || step == 19_999)
            {
                Assert.True(reference.Count == list.Count, $"seed {seed} step {step}: count");
                for (var i = 0; i < reference.Count; i++)
                {
                    Assert.Same(reference[i], list[i]);
                }

                Assert.Equal(clock, list.State);
                for (var probe = 0; probe < 50; probe++)
                {
                    var c = rng.NextInt64(clock);
                    var index = list.FindIndex(c);
                    Assert.True(index >= 0 && reference[index].Clock <= c && c < reference[index].Clock + reference[index].Length, $"seed {seed} step {step}: FindIndex({c})");
                }

                Assert.Equal(-1, list.FindIndex(clock));
            }
        }
    }
}
