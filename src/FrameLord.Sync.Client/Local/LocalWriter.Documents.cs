using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Client.Local;

/// <summary>The document log's writes (DESIGN 6): appends, the server's acknowledgement, compaction.</summary>
internal sealed partial class LocalWriter
{
    /// <summary>Appends one update to the note's log; a local one also becomes the note's newest unsynced update. Returns its seq.</summary>
    public long AppendDocumentUpdate(string noteId, string kind, byte[] update)
    {
        var insert = Command("INSERT INTO document_updates (note_id, kind, data) VALUES ($n, $k, $d) RETURNING seq;");
        insert.Parameters.AddWithValue("$n", noteId);
        insert.Parameters.AddWithValue("$k", kind);
        insert.Parameters.AddWithValue("$d", update);
        var seq = (long)insert.ExecuteScalar()!;

        var local = kind == DocumentUpdateKinds.Local;
        var upsert = Command("""
            INSERT INTO documents (note_id, local_seq, log_count, log_bytes) VALUES ($n, $ls, 1, $b)
            ON CONFLICT (note_id) DO UPDATE SET log_count = log_count + 1, log_bytes = log_bytes + $b,
                local_seq = CASE WHEN $local THEN $ls ELSE local_seq END,
                failed_code = CASE WHEN $local THEN NULL ELSE failed_code END,
                failed_message = CASE WHEN $local THEN NULL ELSE failed_message END;
            """);
        upsert.Parameters.AddWithValue("$n", noteId);
        upsert.Parameters.AddWithValue("$ls", local ? seq : 0);
        upsert.Parameters.AddWithValue("$b", update.LongLength);
        upsert.Parameters.AddWithValue("$local", local);
        upsert.ExecuteNonQuery();
        if (local)
        {
            RecountUnsyncedDocuments();
        }

        return seq;
    }

    /// <summary>
    /// Records a successful sync: the server's state vector and sync_version, and, when this device's
    /// update was sent (<paramref name="sent"/>), that its updates up to <paramref name="sentThrough"/> are on the server.
    /// </summary>
    public void MarkDocumentSynced(string noteId, byte[] serverStateVector, long syncVersion, bool sent, long sentThrough, long now)
    {
        var command = Command("""
            INSERT INTO documents (note_id, server_state_vector, sync_version, acked_seq, last_synced_at) VALUES ($n, $sv, $v, $s, $now)
            ON CONFLICT (note_id) DO UPDATE SET server_state_vector = $sv, sync_version = $v, last_synced_at = $now,
                acked_seq = CASE WHEN $sent THEN max(acked_seq, $s) ELSE acked_seq END,
                failed_code = CASE WHEN $sent THEN NULL ELSE failed_code END,
                failed_message = CASE WHEN $sent THEN NULL ELSE failed_message END;
            """);
        command.Parameters.AddWithValue("$n", noteId);
        command.Parameters.AddWithValue("$sent", sent);
        command.Parameters.AddWithValue("$sv", serverStateVector);
        command.Parameters.AddWithValue("$v", syncVersion);
        command.Parameters.AddWithValue("$s", sentThrough);
        command.Parameters.AddWithValue("$now", now);
        command.ExecuteNonQuery();
        RecountUnsyncedDocuments();
    }

    /// <summary>
    /// Marks the note as having content the server lacks although no local update is pending (the server
    /// lost it): the next sync sends the difference from the server's state vector.
    /// </summary>
    public void MarkDocumentUnsynced(string noteId)
    {
        var command = Command("UPDATE documents SET local_seq = max(local_seq, acked_seq + 1) WHERE note_id = $n;");
        command.Parameters.AddWithValue("$n", noteId);
        command.ExecuteNonQuery();
        RecountUnsyncedDocuments();
    }

    /// <summary>Records that the server refused the note's update (not transient): it is not sent again until a new local edit.</summary>
    public void MarkDocumentFailed(string noteId, string code, string message)
    {
        var command = Command("""
            INSERT INTO documents (note_id, failed_code, failed_message) VALUES ($n, $c, $m)
            ON CONFLICT (note_id) DO UPDATE SET failed_code = $c, failed_message = $m;
            """);
        command.Parameters.AddWithValue("$n", noteId);
        command.Parameters.AddWithValue("$c", code);
        command.Parameters.AddWithValue("$m", message);
        command.ExecuteNonQuery();
        RecountUnsyncedDocuments();
    }

    /// <summary>
    /// Replaces the note's log up to <paramref name="upTo"/> by <paramref name="state"/> (the document with
    /// all of those rows in it), keeping the rows after it. False when there was nothing to replace.
    /// </summary>
    public bool CompactDocumentLog(string noteId, long upTo, byte[] state)
    {
        var delete = Command("DELETE FROM document_updates WHERE note_id = $n AND seq <= $s;");
        delete.Parameters.AddWithValue("$n", noteId);
        delete.Parameters.AddWithValue("$s", upTo);
        if (delete.ExecuteNonQuery() == 0)
        {
            return false;
        }

        var insert = Command("INSERT INTO document_updates (seq, note_id, kind, data) VALUES ($s, $n, $k, $d);");
        insert.Parameters.AddWithValue("$s", upTo);
        insert.Parameters.AddWithValue("$n", noteId);
        insert.Parameters.AddWithValue("$k", DocumentUpdateKinds.State);
        insert.Parameters.AddWithValue("$d", state);
        insert.ExecuteNonQuery();

        var totals = Command("""
            UPDATE documents SET log_count = (SELECT COUNT(*) FROM document_updates WHERE note_id = $n),
                log_bytes = (SELECT COALESCE(SUM(length(data)), 0) FROM document_updates WHERE note_id = $n)
            WHERE note_id = $n;
            """);
        totals.Parameters.AddWithValue("$n", noteId);
        totals.ExecuteNonQuery();
        return true;
    }

    public LocalDocument? GetDocument(string noteId)
    {
        var command = Command($"SELECT {LocalDocument.Columns} FROM documents WHERE note_id = $n;");
        command.Parameters.AddWithValue("$n", noteId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? DocumentReads.Row(reader) : null;
    }

    private void RecountUnsyncedDocuments()
    {
        using var reader = Command("SELECT COUNT(*) FROM documents WHERE local_seq > acked_seq AND failed_code IS NULL;").ExecuteReader();
        reader.Read();
        Database.UnsyncedDocuments = reader.GetInt32(0);
    }
}

/// <summary>The document log's reads, on a read connection of their own.</summary>
internal static class DocumentReads
{
    public static LocalDocument? Get(SqliteConnection connection, string noteId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {LocalDocument.Columns} FROM documents WHERE note_id = $n;";
        command.Parameters.AddWithValue("$n", noteId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Row(reader) : null;
    }

    public static LocalDocument Row(SqliteDataReader r) =>
        new(r.GetString(0), r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4),
            r.GetInt32(5), r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9));

    /// <summary>The note's log in order, and the seq of its last row (0 when empty).</summary>
    public static (List<byte[]> Updates, long LastSeq) Log(SqliteConnection connection, string noteId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, data FROM document_updates WHERE note_id = $n ORDER BY seq;";
        command.Parameters.AddWithValue("$n", noteId);
        using var r = command.ExecuteReader();
        var updates = new List<byte[]>();
        long last = 0;
        while (r.Read())
        {
            last = r.GetInt64(0);
            updates.Add(r.GetFieldValue<byte[]>(1));
        }

        return (updates, last);
    }

    /// <summary>The seq of the note's last log row (0 when none).</summary>
    public static long LastSeq(SqliteConnection connection, string noteId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM document_updates WHERE note_id = $n;";
        command.Parameters.AddWithValue("$n", noteId);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Notes with updates the server does not have yet and no standing refusal, in note id order.</summary>
    public static List<string> Unsynced(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT note_id FROM documents WHERE local_seq > acked_seq AND failed_code IS NULL ORDER BY note_id;";
        using var r = command.ExecuteReader();
        var notes = new List<string>();
        while (r.Read())
        {
            notes.Add(r.GetString(0));
        }

        return notes;
    }
}
