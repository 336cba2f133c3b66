using System.Text.Json;

namespace FrameLord.Sync.Client.Engine;

/// <summary>The live stream's <c>doc</c> event (DESIGN 3.6): a note and the server's sync_version of it.</summary>
internal static class DocumentEvent
{
    /// <summary>False when the data is not the contract's shape: nothing to act on.</summary>
    public static bool TryParse(string data, out string noteId, out long version)
    {
        noteId = "";
        version = 0;
        try
        {
            using var json = JsonDocument.Parse(data);
            noteId = json.RootElement.GetProperty("note_id").GetString() ?? "";
            version = json.RootElement.GetProperty("sync_version").GetInt64();
            return noteId.Length > 0;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
