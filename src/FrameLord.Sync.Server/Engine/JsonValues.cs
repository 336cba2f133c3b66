using System.Buffers;
using System.Text.Json;

namespace FrameLord.Sync.Server.Engine;

/// <summary>Equality and a total order over JSON values, for LWW ties and conflict detection.</summary>
internal static class JsonValues
{
    public static bool Same(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);

    /// <summary>Ordinal comparison of the values' canonical JSON (object keys sorted, no whitespace).</summary>
    public static int CompareCanonical(JsonElement a, JsonElement b)
    {
        var left = Canonical(a);
        var right = Canonical(b);
        return left.AsSpan().SequenceCompareTo(right);
    }

    public static byte[] Canonical(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(writer, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = new List<JsonProperty>();
                foreach (var p in value.EnumerateObject())
                {
                    properties.Add(p);
                }

                properties.Sort(static (x, y) => string.CompareOrdinal(x.Name, y.Name));
                foreach (var p in properties)
                {
                    writer.WritePropertyName(p.Name);
                    WriteCanonical(writer, p.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    /// <summary>
    /// False when a string or property name anywhere in <paramref name="value"/> is not valid UTF-16 (a lone
    /// surrogate written as an escape): such text cannot be stored or sent on, so the change is refused.
    /// Nesting is bounded by the request's depth limit.
    /// </summary>
    public static bool IsWellFormed(JsonElement value)
    {
        try
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    _ = value.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        if (property.Name is null || !IsWellFormed(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray())
                    {
                        if (!IsWellFormed(item))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static readonly JsonElement s_true = JsonDocument.Parse("true").RootElement;

    /// <summary>A standalone JSON <c>true</c>.</summary>
    public static JsonElement True => s_true;
}
