using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Updates;

namespace FrameLord.Sync.Crdt;

public static partial class YUpdate
{
    /// <summary>
    /// The part of <paramref name="update"/> that a replica with <paramref name="stateVector"/> lacks (yjs
    /// <c>diffUpdate</c>): per client, the structs from its clock on (the first one cut at the clock). The
    /// delete set is always included whole. Structs after the first of each client are copied verbatim.
    /// </summary>
    /// <param name="update">A V1 update, for example a document snapshot.</param>
    /// <param name="stateVector">An encoded state vector; empty means "has nothing".</param>
    public static byte[] DiffUpdate(ReadOnlySpan<byte> update, ReadOnlySpan<byte> stateVector)
    {
        var state = DecodeStateVectorInternal(stateVector);
        return Diff(update, state);
    }

    internal static byte[] Diff(ReadOnlySpan<byte> update, Dictionary<ulong, long> state)
    {
        var (structs, deleteSet) = UpdateScanner.Scan(update);
        using var structWriter = new LazyStructWriter();
        var i = 0;
        while (i < structs.Count)
        {
            var curr = structs[i];
            var client = curr.Client;
            var svClock = state.TryGetValue(client, out var c) ? c : 0;
            if (curr.Kind == ScannedKind.Skip)
            {
                // A section must not start with a Skip.
                i++;
                continue;
            }

            if (curr.EndClock > svClock)
            {
                WriteScanned(structWriter, update, curr, Math.Max(svClock - curr.Clock, 0));
                i++;
                while (i < structs.Count && structs[i].Client == client)
                {
                    WriteScanned(structWriter, update, structs[i], 0);
                    i++;
                }
            }
            else
            {
                while (i < structs.Count && structs[i].Client == client && structs[i].EndClock <= svClock)
                {
                    i++;
                }
            }
        }

        using var output = new ByteWriter(Math.Max(64, update.Length));
        structWriter.Finish(output);
        deleteSet.Write(output);
        return output.ToArray();
    }

    /// <summary>Copies a struct's bytes, or decodes and re-encodes it when it must start <paramref name="offset"/> clocks in.</summary>
    private static void WriteScanned(LazyStructWriter writer, ReadOnlySpan<byte> update, ScannedStruct s, long offset)
    {
        var bytes = update[s.Start..s.End];
        if (offset == 0)
        {
            writer.Write(s.Client, s.Clock, bytes);
            return;
        }

        AbstractStruct full = s.Kind switch
        {
            ScannedKind.Gc => new GcStruct(s.Client, s.Clock, s.Length),
            ScannedKind.Skip => new SkipStruct(s.Client, s.Clock, s.Length),
            _ => UpdateDecoder.DecodeStruct(bytes, s.Client, s.Clock),
        };
        writer.Write(full, offset);
    }

    /// <summary>
    /// The state vector that <paramref name="update"/> alone would give a new document (yjs
    /// <c>encodeStateVectorFromUpdate</c>): for each client whose structs start at clock 0, the end of the
    /// contiguous run before the first Skip.
    /// </summary>
    public static byte[] EncodeStateVectorFromUpdate(ReadOnlySpan<byte> update)
    {
        var (structs, _) = UpdateScanner.Scan(update);
        var entries = new List<(ulong Client, long Clock)>();
        if (structs.Count > 0)
        {
            var first = structs[0];
            var currClient = first.Client;
            var stopCounting = first.Clock != 0;
            var currClock = stopCounting ? 0 : first.EndClock;
            foreach (var curr in structs)
            {
                if (currClient != curr.Client)
                {
                    if (currClock != 0)
                    {
                        entries.Add((currClient, currClock));
                    }

                    currClient = curr.Client;
                    currClock = 0;
                    stopCounting = curr.Clock != 0;
                }

                if (curr.Kind == ScannedKind.Skip)
                {
                    stopCounting = true;
                }

                if (!stopCounting)
                {
                    currClock = curr.EndClock;
                }
            }

            if (currClock != 0)
            {
                entries.Add((currClient, currClock));
            }
        }

        using var writer = new ByteWriter(16 + (entries.Count * 12));
        writer.WriteVarUint((ulong)entries.Count);
        foreach (var (client, clock) in entries)
        {
            writer.WriteVarUint(client);
            writer.WriteVarUint(clock);
        }

        return writer.ToArray();
    }
}
