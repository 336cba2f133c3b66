using System.Text.Json;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// Edits a BlockSuite-shaped note body the way eng/yjs/note-client.mjs does (a map of block maps, each
/// with a flavour, a Y.Text and a Y.Array of children), and prints the same canonical content.
/// </summary>
public sealed class BlockEditor(YDoc doc, string name, int seed)
{
    private readonly Random _random = new(seed);
    private int _edits;

    public YMap Blocks => doc.GetMap("blocks");

    /// <summary>Adds a block with the given text.</summary>
    public static void AddBlock(YMap blocks, string key, string text, string flavour = "affine:paragraph")
    {
        var block = blocks.Set(key, new YMap());
        block.Set("sys:flavour", flavour);
        block.Set("prop:text", new YText()).Insert(0, text);
        block.Set("sys:children", new YArray());
    }

    /// <summary>One random edit in its own transaction: add, delete, add a child, or insert or delete text.</summary>
    public void Edit()
    {
        var i = _edits++;
        doc.Transact(_ =>
        {
            var blocks = Blocks;
            var keys = blocks.Keys.Order(StringComparer.Ordinal).ToList();
            var roll = _random.NextDouble();
            if (keys.Count == 0 || roll < 0.25)
            {
                AddBlock(blocks, $"b-{name}-{i}", $"{name}-{i} ");
                return;
            }

            var key = keys[_random.Next(keys.Count)];
            var block = blocks.Get<YMap>(key)!;
            if (roll < 0.3)
            {
                blocks.Delete(key);
                return;
            }

            if (roll < 0.4)
            {
                block.Get<YArray>("sys:children")!.Push([$"c-{name}-{i}"]);
                return;
            }

            var text = block.Get<YText>("prop:text")!;
            if (text.Length > 4 && _random.NextDouble() < 0.3)
            {
                text.Delete(_random.Next(text.Length - 2), 2);
            }
            else
            {
                text.Insert(_random.Next(text.Length + 1), $"<{name}:{i}>");
            }
        });
    }

    /// <summary>The note's blocks as canonical JSON: keys sorted, each block's text and children (what note-client.mjs prints).</summary>
    public static string Content(YDoc doc)
    {
        var blocks = doc.GetMap("blocks");
        var content = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var key in blocks.Keys)
        {
            var block = blocks.Get<YMap>(key)!;
            content[key] = new { text = block.Get<YText>("prop:text")!.ToString(), children = block.Get<YArray>("sys:children")!.ToArray() };
        }

        return JsonSerializer.Serialize(content);
    }

    /// <summary>The canonical content of a note body given as one update (what <see cref="DocumentStore.GetStateAsync"/> returns).</summary>
    public static string Content(byte[] state)
    {
        var doc = new YDoc(new YDocOptions { ClientId = 1 });
        doc.ApplyUpdate(state);
        return Content(doc);
    }

    /// <summary>Re-serializes JSON so two texts compare by content, not by spacing.</summary>
    public static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
