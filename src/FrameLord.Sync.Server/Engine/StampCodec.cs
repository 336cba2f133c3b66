using System.Buffers;
using System.Text;
using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The stored form of an entity's stamps, compact because every entity row carries it:
/// <c>{"e":[v,t,"device",at],"f":{"field":[v,t,"device",at],…}}</c> where v is the stamp's version,
/// t its client time in UTC ticks, and at the entity version at which it was written.
/// </summary>
internal static class StampCodec
{
    public static string Write(FieldStamp? entity, Dictionary<string, FieldStamp> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + fields.Count * 48);
        using (var writer = new Utf8JsonWriter(buffer, EntityState.WriterOptions))
        {
            writer.WriteStartObject();
            if (entity is not null)
            {
                writer.WritePropertyName("e");
                WriteOne(writer, entity);
            }

            writer.WriteStartObject("f");
            foreach (var (name, stamp) in fields)
            {
                writer.WritePropertyName(name);
                WriteOne(writer, stamp);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteOne(Utf8JsonWriter writer, FieldStamp stamp)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(stamp.Version);
        writer.WriteNumberValue(stamp.TimestampTicks);
        writer.WriteStringValue(stamp.DeviceId);
        writer.WriteNumberValue(stamp.AtVersion);
        writer.WriteEndArray();
    }

    public static FieldStamp? Read(string json, Dictionary<string, FieldStamp> fields)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        FieldStamp? entity = null;
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("e"u8))
            {
                Next(ref reader);
                entity = ReadOne(ref reader);
            }
            else if (reader.ValueTextEquals("f"u8))
            {
                Expect(ref reader, JsonTokenType.StartObject);
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    Next(ref reader);
                    fields[name] = ReadOne(ref reader);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return entity;
    }

    private static FieldStamp ReadOne(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidDataException("A stored stamp is not an array.");
        }

        Next(ref reader);
        var v = reader.GetInt64();
        Next(ref reader);
        var t = reader.GetInt64();
        Next(ref reader);
        var d = reader.GetString()!;
        Next(ref reader);
        var at = reader.GetInt64();
        Expect(ref reader, JsonTokenType.EndArray);
        return new FieldStamp(v, t, d, at);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new InvalidDataException("Stored stamps end early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new InvalidDataException($"Stored stamps: expected {type}, found {reader.TokenType}.");
        }
    }
}
