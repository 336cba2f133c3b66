namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// What text the server stores in a text column: no control characters (NUL among them, which
/// PostgreSQL's text type cannot hold at all) and no unpaired surrogates (which are not UTF-8).
/// </summary>
internal static class TextRules
{
    public static bool IsPlainText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
