namespace FrameLord.Sync.Client.Local;

/// <summary>A row of <c>documents</c>: what the device knows of a note's document on the server.</summary>
internal sealed record LocalDocument(
    string NoteId,
    byte[]? ServerStateVector,
    long SyncVersion,
    long LocalSeq,
    long AckedSeq,
    int LogCount,
    long LogBytes,
    long? LastSyncedAt,
    string? FailedCode,
    string? FailedMessage)
{
    public const string Columns =
        "note_id, server_state_vector, sync_version, local_seq, acked_seq, log_count, log_bytes, last_synced_at, failed_code, failed_message";

    /// <summary>True when updates made on this device are not on the server yet.</summary>
    public bool HasUnsyncedChanges => LocalSeq > AckedSeq;
}

/// <summary>The kinds of <c>document_updates</c> rows.</summary>
internal static class DocumentUpdateKinds
{
    /// <summary>Made on this device (an edit of the app, or an update the app applied itself).</summary>
    public const string Local = "local";

    /// <summary>Received from the server.</summary>
    public const string Server = "server";

    /// <summary>A compacted prefix of the log: the document's state at that point.</summary>
    public const string State = "state";
}
