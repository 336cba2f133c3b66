using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

internal sealed partial class PostgresSyncStore
{
    // length() of a TOASTed bytea reads the stored size, not the value.
    public async Task<long> ReadDocumentSizeAsync(string userId, string noteId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT COALESCE((SELECT log_bytes FROM documents WHERE user_id = $1 AND note_id = $2), 0)
                 + COALESCE((SELECT length(snapshot) FROM document_snapshots WHERE user_id = $1 AND note_id = $2), 0)
            """, connection);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(noteId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
