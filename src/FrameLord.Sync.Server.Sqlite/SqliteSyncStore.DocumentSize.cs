namespace FrameLord.Sync.Server.Storage.Sqlite;

internal sealed partial class SqliteSyncStore
{
    // length() of a BLOB reads the record header, not the (possibly megabytes of) overflow pages.
    public async Task<long> ReadDocumentSizeAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COALESCE((SELECT log_bytes FROM documents WHERE user_id = $u AND note_id = $n), 0)
                 + COALESCE((SELECT length(snapshot) FROM document_snapshots WHERE user_id = $u AND note_id = $n), 0);
            """;
        command.Parameters.AddWithValue("$u", userId);
        command.Parameters.AddWithValue("$n", noteId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
