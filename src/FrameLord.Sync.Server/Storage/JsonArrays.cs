using System.Buffers;
using System.Text;
using System.Text.Json;

namespace FrameLord.Sync.Server.Storage;

/// <summary>Small JSON arrays that carry a batch of keys into one SQL statement (SQLite's json_each).</summary>
internal static class JsonArrays
{
    public static string Of(IEnumerable<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string OfPairs(IEnumerable<(string First, string Second)> pairs)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (first, second) in pairs)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(first);
                writer.WriteStringValue(second);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
