using System.Text.Json;
using FrameLord.Sync.Client;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Simulation;

public sealed partial class Simulator
{
    /// <summary>
    /// Every note whose body was edited: each device syncs it (twice, so each picks up what the others
    /// sent), then every device's body and the server's must hold the same blocks and the same state vector.
    /// </summary>
    private async Task<bool> CheckDocumentsAsync(List<string> violations)
    {
        var notes = _workload.EditedNotes.ToList();
        for (var round = 0; round < 2; round++)
        {
            foreach (var device in _devices)
            {
                foreach (var note in notes)
                {
                    try
                    {
                        await device.Client.Documents.SyncAsync(note);
                    }
                    catch (SyncException e)
                    {
                        Violate(violations, $"d{device.Index} could not sync note {note}: {Describe(e)}");
                    }
                }
            }
        }

        var converged = true;
        foreach (var note in notes)
        {
            var server = await _server.Documents.SyncAsync(_account.UserId, note, new DocumentSyncRequest(), CancellationToken.None);
            var expected = View(server.Updates);
            foreach (var device in _devices)
            {
                var actual = View(await device.Client.Documents.GetStateAsync(note));
                if (actual != expected)
                {
                    converged = false;
                    Violate(violations, $"d{device.Index} note {note} body differs from the server's: {Clip(actual)} vs {Clip(expected)}");
                }
            }
        }

        _trace.Write($"documents notes={notes.Count} converged={converged}");
        return converged;
    }

    /// <summary>A note body's blocks (text and children, keys sorted) and state vector, as one comparable string.</summary>
    private static string View(byte[] update)
    {
        var doc = new YDoc(new YDocOptions { ClientId = YDoc.MaxClientId });
        doc.ApplyUpdate(update);
        var blocks = doc.GetMap("blocks");
        var content = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var key in blocks.Keys)
        {
            if (blocks.Get(key) is YMap block)
            {
                content[key] = new
                {
                    text = block.Get<YText>("prop:text")?.ToString(),
                    children = block.Get<YArray>("sys:children")?.ToArray().Select(c => c?.ToString()).ToArray(),
                };
            }
        }

        var vector = string.Join(',', doc.GetStateVector().OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{kv.Value}"));
        return JsonSerializer.Serialize(content) + " sv=" + vector + (doc.HasPending ? " pending" : "");
    }

    private static string Clip(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
