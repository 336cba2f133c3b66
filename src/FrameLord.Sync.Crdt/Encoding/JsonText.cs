using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace FrameLord.Sync.Crdt.Encoding;

/// <summary>
/// JSON text exactly as JavaScript's <c>JSON.stringify</c> writes it (V1 stores Embed, Format and legacy JSON
/// contents this way), and a strict, depth-limited parser for the same text coming from the wire.
/// </summary>
internal static class JsonText
{
    /// <summary>Writes a value; <see cref="YUndefined"/> at the top level becomes the literal <c>undefined</c>.</summary>
    public static string Stringify(object? value)
    {
        if (value is YUndefined)
        {
            return "undefined";
        }

        var sb = new StringBuilder();
        Write(sb, value, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, int depth)
    {
        if (depth > YjsFormatException.MaxNestingDepth)
        {
            throw new ArgumentException("Value nested too deeply.");
        }

        switch (value)
        {
            case null:
            case YUndefined:
                sb.Append("null");
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case string s:
                WriteString(sb, s);
                return;
            case BigInteger:
                throw new ArgumentException("BigInt values cannot be serialized to JSON.");
            case byte[]:
                // JSON.stringify(Uint8Array) writes an object with index keys.
                var bytes = (byte[])value;
                sb.Append('{');
                for (var i = 0; i < bytes.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    sb.Append('"').Append(i.ToString(CultureInfo.InvariantCulture)).Append("\":").Append(bytes[i].ToString(CultureInfo.InvariantCulture));
                }

                sb.Append('}');
                return;
            case IDictionary<string, object?> dict:
                {
                    sb.Append('{');
                    var first = true;
                    foreach (var entry in JsKeyOrder.Ordered(dict))
                    {
                        if (entry.Value is YUndefined)
                        {
                            continue;
                        }

                        if (!first)
                        {
                            sb.Append(',');
                        }

                        first = false;
                        WriteString(sb, entry.Key);
                        sb.Append(':');
                        Write(sb, entry.Value, depth + 1);
                    }

                    sb.Append('}');
                    return;
                }

            case IEnumerable list:
                {
                    sb.Append('[');
                    var first = true;
                    foreach (var item in list)
                    {
                        if (!first)
                        {
                            sb.Append(',');
                        }

                        first = false;
                        Write(sb, item, depth + 1);
                    }

                    sb.Append(']');
                    return;
                }

            default:
                if (JsNumber.TryToDouble(value, out var d))
                {
                    sb.Append(double.IsFinite(d) ? JsNumber.ToJsString(d) : "null");
                    return;
                }

                throw new ArgumentException($"Unsupported value type {value.GetType()}.");
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[i + 1]);
                        i++;
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>
    /// Parses JSON text (or the literal <c>undefined</c>). Integers that a double holds exactly become
    /// <see cref="long"/>, other numbers <see cref="double"/>, objects <see cref="Dictionary{TKey, TValue}"/>,
    /// arrays <see cref="List{T}"/>. Throws <see cref="YjsFormatException"/> on anything else.
    /// </summary>
    public static object? Parse(string text)
    {
        if (text == "undefined")
        {
            return YUndefined.Value;
        }

        var parser = new Parser(text);
        parser.SkipWhitespace();
        var value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser.Position != text.Length)
        {
            throw new YjsFormatException("Trailing characters after JSON value.");
        }

        return value;
    }

    private ref struct Parser(string text)
    {
        private readonly string _text = text;
        private int _position;

        public readonly int Position => _position;

        public void SkipWhitespace()
        {
            while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
            {
                _position++;
            }
        }

        private static YjsFormatException Bad() => new("Invalid JSON text in content.");

        public object? ParseValue(int depth)
        {
            if (depth > YjsFormatException.MaxNestingDepth)
            {
                throw new YjsFormatException("JSON nested too deeply.");
            }

            if (_position >= _text.Length)
            {
                throw Bad();
            }

            var c = _text[_position];
            switch (c)
            {
                case '{':
                    {
                        _position++;
                        var dict = new Dictionary<string, object?>();
                        SkipWhitespace();
                        if (Peek() == '}')
                        {
                            _position++;
                            return dict;
                        }

                        while (true)
                        {
                            SkipWhitespace();
                            if (Peek() != '"')
                            {
                                throw Bad();
                            }

                            var key = ParseString();
                            SkipWhitespace();
                            Expect(':');
                            SkipWhitespace();
                            dict[key] = ParseValue(depth + 1);
                            SkipWhitespace();
                            var next = Next();
                            if (next == '}')
                            {
                                return dict;
                            }

                            if (next != ',')
                            {
                                throw Bad();
                            }
                        }
                    }

                case '[':
                    {
                        _position++;
                        var list = new List<object?>();
                        SkipWhitespace();
                        if (Peek() == ']')
                        {
                            _position++;
                            return list;
                        }

                        while (true)
                        {
                            SkipWhitespace();
                            list.Add(ParseValue(depth + 1));
                            SkipWhitespace();
                            var next = Next();
                            if (next == ']')
                            {
                                return list;
                            }

                            if (next != ',')
                            {
                                throw Bad();
                            }
                        }
                    }

                case '"':
                    return ParseString();
                case 't':
                    ExpectWord("true");
                    return true;
                case 'f':
                    ExpectWord("false");
                    return false;
                case 'n':
                    ExpectWord("null");
                    return null;
                default:
                    return ParseNumber();
            }
        }

        private readonly char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private char Next()
        {
            if (_position >= _text.Length)
            {
                throw Bad();
            }

            return _text[_position++];
        }

        private void Expect(char c)
        {
            if (Next() != c)
            {
                throw Bad();
            }
        }

        private void ExpectWord(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
            {
                throw Bad();
            }

            _position += word.Length;
        }

        private string ParseString()
        {
            Expect('"');
            var sb = new StringBuilder();
            while (true)
            {
                var c = Next();
                if (c == '"')
                {
                    return sb.ToString();
                }

                if (c < 0x20)
                {
                    throw Bad();
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                var e = Next();
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_position + 4 > _text.Length
                            || !int.TryParse(_text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Bad();
                        }

                        _position += 4;
                        sb.Append((char)code);
                        break;
                    default:
                        throw Bad();
                }
            }
        }

        private object ParseNumber()
        {
            var start = _position;
            if (Peek() == '-')
            {
                _position++;
            }

            var digitsStart = _position;
            while (Peek() is >= '0' and <= '9')
            {
                _position++;
            }

            if (_position == digitsStart || (_text[digitsStart] == '0' && _position - digitsStart > 1))
            {
                throw Bad();
            }

            var isInteger = true;
            if (Peek() == '.')
            {
                isInteger = false;
                _position++;
                var fracStart = _position;
                while (Peek() is >= '0' and <= '9')
                {
                    _position++;
                }

                if (_position == fracStart)
                {
                    throw Bad();
                }
            }

            if (Peek() is 'e' or 'E')
            {
                isInteger = false;
                _position++;
                if (Peek() is '+' or '-')
                {
                    _position++;
                }

                var expStart = _position;
                while (Peek() is >= '0' and <= '9')
                {
                    _position++;
                }

                if (_position == expStart)
                {
                    throw Bad();
                }
            }

            var span = _text.AsSpan(start, _position - start);
            if (isInteger && span.Length <= 16 && long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                && Math.Abs(l) <= ByteReader.MaxSafeInteger && !(l == 0 && span[0] == '-'))
            {
                return l;
            }

            return double.Parse(span, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }
}
