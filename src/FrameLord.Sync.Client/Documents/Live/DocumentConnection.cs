namespace FrameLord.Sync.Client;

/// <summary>How an open note reaches the server (<see cref="NoteDocument.Connection"/>).</summary>
public enum DocumentConnection
{
    /// <summary>No live socket: the note syncs by the REST delta sync of the sync loop (DESIGN 3.5).</summary>
    Rest,

    /// <summary>A live socket is being opened (or reopened after a drop); REST meanwhile.</summary>
    Connecting,

    /// <summary>The socket is open and its handshake done: edits travel both ways as they are made (DESIGN 3.8).</summary>
    Live,
}
