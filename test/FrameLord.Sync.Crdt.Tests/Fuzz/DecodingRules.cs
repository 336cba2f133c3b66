using System.Diagnostics;
using Xunit.Sdk;

namespace FrameLord.Sync.Crdt.Tests.Fuzz;

/// <summary>
/// The rules every decoding entry point must keep on any input: succeed or throw
/// <see cref="YjsFormatException"/>; finish quickly; allocate at most a small multiple of the input; and a
/// failed apply leaves the document exactly as it was.
/// </summary>
public static class DecodingRules
{
    /// <summary>Allocation bound: bytes allocated per input byte, plus a fixed allowance.</summary>
    public const int BytesPerInputByte = 160;

    public const int FixedAllowance = 256 * 1024;

    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(2);

    public static void Check(byte[] input, YDoc populated, string label)
    {
        Guard(label, input, "Validate", () => YUpdate.Validate(input), checkAllocation: true);
        Guard(label, input, "EncodeStateVectorFromUpdate", () => YUpdate.EncodeStateVectorFromUpdate(input), checkAllocation: true);
        Guard(label, input, "DiffUpdate", () => YUpdate.DiffUpdate(input, populated.EncodeStateVector()), checkAllocation: true);
        Guard(label, input, "DecodeStateVector", () => YUpdate.DecodeStateVector(input), checkAllocation: true);
        Guard(label, input, "MergeUpdates", () => YUpdate.MergeUpdates([input, populated.EncodeStateAsUpdate()]), checkAllocation: false);
        Guard(label, input, "DiffUpdate(sv)", () => populated.EncodeStateAsUpdate(input), checkAllocation: false);
        ApplyAtomically(label, input, new YDoc(new YDocOptions { ClientId = 77 }));
        ApplyAtomically(label, input, populated);
    }

    private static void ApplyAtomically(string label, byte[] input, YDoc doc)
    {
        var before = doc.EncodeStateAsUpdate();
        var pendingBefore = doc.HasPending;
        var failed = false;
        Guard(label, input, "ApplyUpdate", () =>
        {
            try
            {
                doc.ApplyUpdate(input);
            }
            catch (YjsFormatException)
            {
                failed = true;
                throw;
            }
        }, checkAllocation: false);
        if (failed)
        {
            Assert.True(before.AsSpan().SequenceEqual(doc.EncodeStateAsUpdate()) && pendingBefore == doc.HasPending, $"{label}: a failed ApplyUpdate changed the document. Input: {Convert.ToHexString(input)}");
        }
        else
        {
            // Whatever was applied must still encode, decode and load.
            var after = doc.EncodeStateAsUpdate();
            YUpdate.Validate(after);
            new YDoc(new YDocOptions { ClientId = 78 }).ApplyUpdate(after);
        }
    }

    private static void Guard(string label, byte[] input, string entryPoint, Action action, bool checkAllocation)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        try
        {
            action();
        }
        catch (YjsFormatException)
        {
        }
        catch (Exception e) when (e is not XunitException)
        {
            Assert.Fail($"{label}: {entryPoint} threw {e.GetType().Name} instead of YjsFormatException: {e.Message}\nInput (add to Fuzz/corpus/regressions.txt): {Convert.ToHexString(input)}\n{e.StackTrace}");
        }

        watch.Stop();
        Assert.True(watch.Elapsed < TimeLimit, $"{label}: {entryPoint} took {watch.ElapsedMilliseconds} ms. Input: {Convert.ToHexString(input)}");
        if (checkAllocation)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var limit = ((long)input.Length * BytesPerInputByte) + FixedAllowance;
            Assert.True(allocated <= limit, $"{label}: {entryPoint} allocated {allocated} bytes for a {input.Length}-byte input (limit {limit}). Input: {Convert.ToHexString(input)}");
        }
    }
}
