using System.Collections;
using System.Numerics;

namespace FrameLord.Sync.Crdt.Encoding;

/// <summary>
/// lib0 <c>writeAny</c>/<c>readAny</c>. .NET values map to JavaScript ones: integers and floating-point numbers
/// are numbers (written as varInt when integral and |n| &lt;= 2^31-1, else float32 when exact, else float64),
/// <see cref="BigInteger"/> is a BigInt (64-bit), <see cref="byte"/>[] a Uint8Array, dictionaries with string keys
/// objects, other enumerables arrays, <see cref="YUndefined"/> undefined. Read numbers come back as
/// <see cref="long"/> (integers) or <see cref="double"/>, arrays as <see cref="List{T}"/> and objects as
/// <see cref="Dictionary{TKey, TValue}"/>.
/// </summary>
internal static class AnyCodec
{
    public static void Write(ByteWriter writer, object? value, int depth = 0)
    {
        if (depth > YjsFormatException.MaxNestingDepth)
        {
            throw new ArgumentException("Value nested too deeply.");
        }

        switch (value)
        {
            case null:
                writer.WriteByte(126);
                return;
            case YUndefined:
                writer.WriteByte(127);
                return;
            case string s:
                writer.WriteByte(119);
                writer.WriteString(s);
                return;
            case bool b:
                writer.WriteByte(b ? (byte)120 : (byte)121);
                return;
            case BigInteger big:
                writer.WriteByte(122);
                writer.WriteInt64BigEndian((long)big);
                return;
            case byte[] bytes:
                writer.WriteByte(116);
                writer.WriteVarBytes(bytes);
                return;
            case int i:
                WriteNumber(writer, i);
                return;
            case long l:
                WriteNumber(writer, l);
                return;
            case double d:
                WriteNumber(writer, d);
                return;
            case IDictionary<string, object?> dict:
                writer.WriteByte(118);
                writer.WriteVarUint((ulong)dict.Count);
                foreach (var entry in JsKeyOrder.Ordered(dict))
                {
                    writer.WriteString(entry.Key);
                    Write(writer, entry.Value, depth + 1);
                }

                return;
            case IList list:
                writer.WriteByte(117);
                writer.WriteVarUint((ulong)list.Count);
                foreach (var item in list)
                {
                    Write(writer, item, depth + 1);
                }

                return;
            default:
                if (JsNumber.TryToDouble(value, out var number))
                {
                    WriteNumber(writer, number);
                    return;
                }

                throw new ArgumentException($"Unsupported value type {value.GetType()}: use null, bool, numbers, string, byte[], lists, string-keyed dictionaries or YUndefined.");
        }
    }

    private static void WriteNumber(ByteWriter writer, long value)
    {
        if (value is >= -int.MaxValue and <= int.MaxValue)
        {
            writer.WriteByte(125);
            writer.WriteVarInt(Math.Abs(value), value < 0);
            return;
        }

        WriteNumber(writer, (double)value);
    }

    private static void WriteNumber(ByteWriter writer, double value)
    {
        if (Math.Abs(value) <= int.MaxValue && Math.Floor(value) == value)
        {
            writer.WriteByte(125);
            writer.WriteVarInt((long)Math.Abs(value), double.IsNegative(value));
        }
        else if ((double)(float)value == value)
        {
            writer.WriteByte(124);
            writer.WriteFloat32((float)value);
        }
        else
        {
            writer.WriteByte(123);
            writer.WriteFloat64(value);
        }
    }

    public static object? Read(ref ByteReader reader, int depth = 0)
    {
        if (depth > YjsFormatException.MaxNestingDepth)
        {
            throw new YjsFormatException("Value nested too deeply.");
        }

        var tag = reader.ReadByte();
        switch (tag)
        {
            case 127: return YUndefined.Value;
            case 126: return null;
            case 125:
                {
                    var magnitude = reader.ReadVarInt(out var negative);
                    if (negative && magnitude == 0)
                    {
                        return -0.0;
                    }

                    return negative ? -magnitude : magnitude;
                }

            case 124: return (double)reader.ReadFloat32();
            case 123: return reader.ReadFloat64();
            case 122: return new BigInteger(reader.ReadInt64BigEndian());
            case 121: return false;
            case 120: return true;
            case 119: return reader.ReadString();
            case 118:
                {
                    var count = reader.ReadLength();
                    var dict = new Dictionary<string, object?>(Math.Min(count, reader.Remaining / 2));
                    for (var i = 0; i < count; i++)
                    {
                        var key = reader.ReadString();
                        dict[key] = Read(ref reader, depth + 1);
                    }

                    return dict;
                }

            case 117:
                {
                    var count = reader.ReadLength();
                    var list = new List<object?>(Math.Min(count, reader.Remaining));
                    for (var i = 0; i < count; i++)
                    {
                        list.Add(Read(ref reader, depth + 1));
                    }

                    return list;
                }

            case 116: return reader.ReadVarBytes().ToArray();
            default:
                throw new YjsFormatException($"Unknown any tag {tag}.");
        }
    }
}
