using System.IO.Compression;
using System.Text.Json;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// A josephg editing trace: transactions of patches (position, deleted count, inserted text), and the expected
/// end text. The file counts positions in Unicode code points; <see cref="Load"/> converts them to the UTF-16
/// offsets yjs and this library use, so traces with characters outside the Basic Multilingual Plane replay
/// exactly.
/// </summary>
public sealed class EditingTrace
{
    public required string EndContent { get; init; }

    /// <summary>Every patch in order, positions and lengths in UTF-16 code units.</summary>
    public required (int Position, int Delete, string Insert)[] Patches { get; init; }

    /// <summary>Where each transaction ends in <see cref="Patches"/> (exclusive).</summary>
    public required int[] TransactionEnds { get; init; }

    /// <summary>
    /// Replays every transaction of the trace as one transaction into <c>doc.GetText("text")</c>. The state
    /// overload of <see cref="YDoc.Transact{TState}"/> avoids a closure per transaction.
    /// </summary>
    public void ReplayInto(YDoc doc)
    {
        var text = doc.GetText("text");
        var start = 0;
        foreach (var end in TransactionEnds)
        {
            doc.Transact((text, Patches, start, end), static (_, t) =>
            {
                for (var i = t.start; i < t.end; i++)
                {
                    var (position, delete, insert) = t.Patches[i];
                    if (delete > 0)
                    {
                        t.text.Delete(position, delete);
                    }

                    if (insert.Length > 0)
                    {
                        t.text.Insert(position, insert);
                    }
                }
            });
            start = end;
        }
    }

    public static EditingTrace Load(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var json = JsonDocument.Parse(gzip);
        var root = json.RootElement;
        var patches = new List<(int, int, string)>();
        var ends = new List<int>();
        var astral = new AstralIndex();
        foreach (var txn in root.GetProperty("txns").EnumerateArray())
        {
            foreach (var patch in txn.GetProperty("patches").EnumerateArray())
            {
                var insert = patch[2].GetString() ?? string.Empty;
                patches.Add(astral.Apply(patch[0].GetInt32(), patch[1].GetInt32(), insert));
            }

            ends.Add(patches.Count);
        }

        return new EditingTrace
        {
            EndContent = root.GetProperty("endContent").GetString() ?? string.Empty,
            Patches = patches.ToArray(),
            TransactionEnds = ends.ToArray(),
        };
    }

    /// <summary>Writes the trace (UTF-16 positions, so plain BMP semantics) for the yjs script to read.</summary>
    public void WriteUtf16(string path)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new Utf8JsonWriter(gzip);
        writer.WriteStartObject();
        writer.WriteString("startContent", string.Empty);
        writer.WriteString("endContent", EndContent);
        writer.WriteStartArray("txns");
        var start = 0;
        foreach (var end in TransactionEnds)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("patches");
            for (var i = start; i < end; i++)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(Patches[i].Position);
                writer.WriteNumberValue(Patches[i].Delete);
                writer.WriteStringValue(Patches[i].Insert);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            start = end;
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// The code-point positions of the astral characters in the text so far, to turn code-point patches into
    /// UTF-16 ones: a UTF-16 offset is the code-point offset plus the astral characters before it.
    /// </summary>
    private sealed class AstralIndex
    {
        private readonly List<int> _positions = [];

        public (int Position, int Delete, string Insert) Apply(int position, int delete, string insert)
        {
            var first = LowerBound(position);
            var last = LowerBound(position + delete);
            var position16 = position + first;
            var delete16 = delete + (last - first);
            _positions.RemoveRange(first, last - first);
            var inserted = 0;
            var astralInserted = new List<int>();
            for (var i = 0; i < insert.Length; i++, inserted++)
            {
                if (char.IsHighSurrogate(insert[i]) && i + 1 < insert.Length && char.IsLowSurrogate(insert[i + 1]))
                {
                    astralInserted.Add(position + inserted);
                    i++;
                }
            }

            for (var i = first; i < _positions.Count; i++)
            {
                _positions[i] += inserted - delete;
            }

            _positions.InsertRange(first, astralInserted);
            return (position16, delete16, insert);
        }

        private int LowerBound(int value)
        {
            var index = _positions.BinarySearch(value);
            return index < 0 ? ~index : index;
        }
    }
}
