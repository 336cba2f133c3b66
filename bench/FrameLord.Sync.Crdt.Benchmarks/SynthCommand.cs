using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace FrameLord.Sync.Crdt.Benchmarks;

/// <summary>
/// <c>synth OUT.json.gz [--seed N] [--patches N]</c>: writes a synthetic editing trace in the josephg format
/// (positions in code points) that the public traces lack: large pastes (200 to 2,000 characters), range
/// deletes (selection deletes of 2 to 600 characters, and replacements), and astral-plane text (emoji) mixed
/// with CJK and ASCII typing. Seeded, so the same seed writes the same trace.
/// </summary>
public static class SynthCommand
{
    private static readonly string[] s_emoji = ["😀", "🎉", "👍🏽", "🚀", "🧪", "𝔘", "👩‍💻", "🇫🇷"];

    public static int Run(string[] args)
    {
        var output = args[1];
        var seed = 16;
        var count = 60_000;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--patches": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var random = new Random(seed);
        var text = new List<int>();
        var patches = new List<(int, int, string)>();
        var cursor = 0;
        while (patches.Count < count)
        {
            var roll = random.Next(1000);
            int delete = 0;
            string insert;
            if (roll < 6 || text.Count < 50)
            {
                insert = Paste(random, random.Next(200, 2000));                  // large paste
                cursor = random.Next(text.Count + 1);
            }
            else if (roll < 21)
            {
                cursor = random.Next(text.Count);                                 // selection delete or replace
                delete = Math.Min(random.Next(2, 600), text.Count - cursor);
                insert = random.Next(3) == 0 ? Paste(random, random.Next(1, 60)) : string.Empty;
            }
            else if (roll < 120)
            {
                if (cursor == 0)
                {
                    continue;
                }

                cursor--;                                                         // backspace
                delete = 1;
                insert = string.Empty;
            }
            else
            {
                if (random.Next(40) == 0)
                {
                    cursor = random.Next(text.Count + 1);                         // move the caret
                }

                insert = Typed(random);
            }

            var codePoints = ToCodePoints(insert);
            text.RemoveRange(cursor, delete);
            text.InsertRange(cursor, codePoints);
            patches.Add((cursor, delete, insert));
            cursor += codePoints.Count;
        }

        var end = new StringBuilder();
        foreach (var cp in text)
        {
            end.Append(char.ConvertFromUtf32(cp));
        }

        using var file = File.Create(output);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        using var writer = new Utf8JsonWriter(gzip);
        writer.WriteStartObject();
        writer.WriteString("startContent", string.Empty);
        writer.WriteString("endContent", end.ToString());
        writer.WriteStartArray("txns");
        foreach (var (position, delete, insert) in patches)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("patches");
            writer.WriteStartArray();
            writer.WriteNumberValue(position);
            writer.WriteNumberValue(delete);
            writer.WriteStringValue(insert);
            writer.WriteEndArray();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        Console.WriteLine($"{patches.Count} patches, {text.Count} code points, {end.Length} UTF-16 units");
        return 0;
    }

    private static string Typed(Random random) => random.Next(100) switch
    {
        < 8 => s_emoji[random.Next(s_emoji.Length)],
        < 30 => char.ConvertFromUtf32(0x4E00 + random.Next(0x5000)),              // CJK ideographs
        < 33 => char.ConvertFromUtf32(0x20000 + random.Next(0x2000)),             // CJK extension B (astral)
        < 40 => " ",
        _ => ((char)('a' + random.Next(26))).ToString(),
    };

    private static string Paste(Random random, int length)
    {
        var builder = new StringBuilder();
        while (builder.Length < length)
        {
            builder.Append(Typed(random));
        }

        return builder.ToString();
    }

    private static List<int> ToCodePoints(string value)
    {
        var list = new List<int>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            list.Add(char.ConvertToUtf32(value, i));
            if (char.IsHighSurrogate(value[i]))
            {
                i++;
            }
        }

        return list;
    }
}
