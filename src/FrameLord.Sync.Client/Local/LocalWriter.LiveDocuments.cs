namespace FrameLord.Sync.Client.Local;

/// <summary>The document log's write for the live socket.</summary>
internal sealed partial class LocalWriter
{
    /// <summary>
    /// Records that the server has stored every update of the note up to <paramref name="ackedThrough"/> (its
    /// state vector, read on a socket's connect, covers the document): like a successful REST sync, but the
    /// socket carries no sync_version, so that stays as the last REST sync left it.
    /// </summary>
    public void MarkDocumentConfirmed(string noteId, byte[] serverStateVector, long ackedThrough)
    {
        var command = Command("""
            UPDATE documents SET server_state_vector = $sv, acked_seq = max(acked_seq, $s), failed_code = NULL, failed_message = NULL
            WHERE note_id = $n;
            """);
        command.Parameters.AddWithValue("$n", noteId);
        command.Parameters.AddWithValue("$sv", serverStateVector);
        command.Parameters.AddWithValue("$s", ackedThrough);
        command.ExecuteNonQuery();
        RecountUnsyncedDocuments();
    }
}
