namespace FrameLord.Sync.Client;

/// <summary>
/// The server refused a note's update for good (too large, malformed, or not integrable even as the full
/// state). The note's edits stay on the device; they are sent again after its next local edit or an
/// explicit <see cref="DocumentStore.SyncAsync"/>, and other notes sync meanwhile.
/// </summary>
public sealed class DocumentSyncFailedEventArgs(string noteId, SyncTransportException error) : EventArgs
{
    public string NoteId { get; } = noteId;

    public SyncTransportException Error { get; } = error;
}
