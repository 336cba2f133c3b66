using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Client.Local;

/// <summary>The operations of one write transaction (valid only inside <see cref="LocalDatabase.WriteAsync"/>).</summary>
internal sealed class LocalWriter(LocalDatabase db, SqliteTransaction tx)
{
    public LocalDatabase Database => db;

    public LocalEntity? GetEntity(string entityType, string entityId)
    {
        var command = db.Command($"SELECT {Rows.EntityColumns} FROM entities WHERE entity_type = $t AND entity_id = $i;", tx);
        command.Parameters.AddWithValue("$t", entityType);
        command.Parameters.AddWithValue("$i", entityId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Rows.Entity(reader) : null;
    }

    public void PutEntity(LocalEntity e)
    {
        var command = db.Command($"""
            INSERT INTO entities ({Rows.EntityColumns}) VALUES ($t, $i, $d, $sv, $srv, $c, $u, $a, $z, $ls, $ld, $sh)
            ON CONFLICT (entity_type, entity_id) DO UPDATE SET data = $d, sync_version = $sv, server_version = $srv,
                created_at = $c, updated_at = $u, is_archived = $a, is_contact_zero = $z, last_synced_at = $ls,
                last_synced_device_id = $ld, shadow = $sh;
            """, tx);
        var p = command.Parameters;
        p.AddWithValue("$t", e.EntityType);
        p.AddWithValue("$i", e.EntityId);
        p.AddWithValue("$d", e.Data.ToJsonString());
        p.AddWithValue("$sv", e.SyncVersion);
        p.AddWithValue("$srv", e.ServerVersion);
        p.AddWithValue("$c", e.CreatedAt);
        p.AddWithValue("$u", e.UpdatedAt);
        p.AddWithValue("$a", e.IsArchived ? 1 : 0);
        p.AddWithValue("$z", e.IsContactZero ? 1 : 0);
        p.AddWithValue("$ls", Rows.Nullable(e.LastSyncedAt));
        p.AddWithValue("$ld", Rows.Nullable(e.LastSyncedDeviceId));
        p.AddWithValue("$sh", Rows.Nullable(e.Shadow));
        command.ExecuteNonQuery();
    }

    /// <summary>The entity's outbox entries, oldest first.</summary>
    public List<OutboxEntry> GetOutbox(string entityType, string entityId)
    {
        var command = db.Command($"SELECT {Rows.OutboxColumns} FROM outbox WHERE entity_type = $t AND entity_id = $i ORDER BY seq;", tx);
        command.Parameters.AddWithValue("$t", entityType);
        command.Parameters.AddWithValue("$i", entityId);
        using var reader = command.ExecuteReader();
        var list = new List<OutboxEntry>();
        while (reader.Read())
        {
            list.Add(Rows.Outbox(reader));
        }

        return list;
    }

    /// <summary>The entity's newest outbox entry, or null.</summary>
    public OutboxEntry? GetLastOutbox(string entityType, string entityId)
    {
        var command = db.Command($"SELECT {Rows.OutboxColumns} FROM outbox WHERE entity_type = $t AND entity_id = $i ORDER BY seq DESC LIMIT 1;", tx);
        command.Parameters.AddWithValue("$t", entityType);
        command.Parameters.AddWithValue("$i", entityId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Rows.Outbox(reader) : null;
    }

    /// <summary>The oldest entries, up to <paramref name="limit"/>: a batch in the order the writes were made.</summary>
    public List<OutboxEntry> PeekOutbox(int limit)
    {
        var command = db.Command($"SELECT {Rows.OutboxColumns} FROM outbox ORDER BY seq LIMIT $n;", tx);
        command.Parameters.AddWithValue("$n", limit);
        using var reader = command.ExecuteReader();
        var list = new List<OutboxEntry>(limit);
        while (reader.Read())
        {
            list.Add(Rows.Outbox(reader));
        }

        return list;
    }

    /// <summary>Adds an entry with the next sequence number; its change id is derived from it, so it is never reused.</summary>
    public void InsertOutbox(OutboxEntry entry)
    {
        var command = db.Command($"INSERT INTO outbox ({Rows.OutboxColumns}) VALUES ($s, $c, $t, $i, $o, $d, $h, $ts, $sv, $bv, $sent);", tx);
        BindOutbox(command, entry);
        command.ExecuteNonQuery();
        db.AdjustPending(1);
    }

    public void UpdateOutbox(OutboxEntry entry)
    {
        var command = db.Command("""
            UPDATE outbox SET operation = $o, data = $d, held = $h, client_timestamp = $ts, sync_version = $sv,
                base_version = $bv, sent = $sent WHERE seq = $s AND change_id = $c AND entity_type = $t AND entity_id = $i;
            """, tx);
        BindOutbox(command, entry);
        command.ExecuteNonQuery();
    }

    public void DeleteOutbox(long seq)
    {
        var command = db.Command("DELETE FROM outbox WHERE seq = $s;", tx);
        command.Parameters.AddWithValue("$s", seq);
        if (command.ExecuteNonQuery() > 0)
        {
            db.AdjustPending(-1);
        }
    }

    public void MarkSent(long seq)
    {
        var command = db.Command("UPDATE outbox SET sent = 1 WHERE seq = $s;", tx);
        command.Parameters.AddWithValue("$s", seq);
        command.ExecuteNonQuery();
    }

    /// <summary>A new change id: the next outbox sequence number, unique for the life of the database.</summary>
    public (long Seq, string ChangeId) NextChangeId()
    {
        var seq = ++db.LastSeq;
        return (seq, "c" + seq.ToString(CultureInfo.InvariantCulture));
    }

    public string? GetMeta(string key)
    {
        var command = db.Command("SELECT value FROM sync_meta WHERE key = $k;", tx);
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string? value)
    {
        var command = db.Command(value is null
            ? "DELETE FROM sync_meta WHERE key = $k;"
            : "INSERT INTO sync_meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = $v;", tx);
        command.Parameters.AddWithValue("$k", key);
        if (value is not null)
        {
            command.Parameters.AddWithValue("$v", value);
        }

        command.ExecuteNonQuery();
    }

    public SqliteCommand Command(string sql) => db.Command(sql, tx);

    private static void BindOutbox(SqliteCommand command, OutboxEntry e)
    {
        var p = command.Parameters;
        p.AddWithValue("$s", e.Seq);
        p.AddWithValue("$c", e.ChangeId);
        p.AddWithValue("$t", e.EntityType);
        p.AddWithValue("$i", e.EntityId);
        p.AddWithValue("$o", e.Operation);
        p.AddWithValue("$d", Rows.Nullable(e.Data));
        p.AddWithValue("$h", Rows.Nullable(e.Held));
        p.AddWithValue("$ts", e.ClientTimestamp);
        p.AddWithValue("$sv", e.SyncVersion);
        p.AddWithValue("$bv", e.BaseVersion);
        p.AddWithValue("$sent", e.Sent ? 1 : 0);
    }
}
