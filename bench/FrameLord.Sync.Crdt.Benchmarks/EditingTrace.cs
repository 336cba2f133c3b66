using System.IO.Compression;
using System.Text.Json;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>A josephg editing trace: patches of (position, deleted count, inserted text), and the expected end text.</summary>
public sealed class EditingTrace
{
    public required string EndContent { get; init; }

    public required (int Position, int Delete, string Insert)[] Patches { get; init; }

    /// <summary>
    /// Replays every patch, one transaction per patch, into <c>doc.GetText("text")</c>. The state overload of
    /// <see cref="YDoc.Transact{TState}"/> avoids a closure per patch.
    /// </summary>
    public void ReplayInto(YDoc doc)
    {
        var text = doc.GetText("text");
        foreach (var (position, delete, insert) in Patches)
        {
            doc.Transact((text, position, delete, insert), static (_, edit) =>
            {
                if (edit.delete > 0)
                {
                    edit.text.Delete(edit.position, edit.delete);
                }

                if (edit.insert.Length > 0)
                {
                    edit.text.Insert(edit.position, edit.insert);
                }
            });
        }
    }

    public static EditingTrace Load(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var json = JsonDocument.Parse(gzip);
        var root = json.RootElement;
        var patches = new List<(int, int, string)>();
        foreach (var txn in root.GetProperty("txns").EnumerateArray())
        {
            foreach (var patch in txn.GetProperty("patches").EnumerateArray())
            {
                patches.Add((patch[0].GetInt32(), patch[1].GetInt32(), patch[2].GetString() ?? string.Empty));
            }
        }

        return new EditingTrace { EndContent = root.GetProperty("endContent").GetString() ?? string.Empty, Patches = patches.ToArray() };
    }
}
