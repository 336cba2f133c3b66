using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Client.Local;

/// <summary>The operations of one write transaction (valid only inside <see cref="LocalDatabase.WriteAsync"/>).</summary>
internal sealed partial class LocalWriter(LocalDatabase db, SqliteTransaction tx)
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
        p.AddWithValue("$d", e.DataJson);
        p.AddWithValue("$sv", e.SyncVersion);
        p.AddWithValue("$srv", e.ServerVersion);
        p.AddWithValue("$c", e.CreatedAt);
        p.AddWithValue("$u", e.UpdatedAt);
        p.AddWithValue("$a", e.IsArchived ? 1 : 0);
        p.AddWithValue("$z", e.IsContactZero ? 1 : 0);
        p.AddWithValue("$ls", Rows.Nullable(e.LastSyncedAt));
        p.AddWithValue("$ld", Rows.Nullable(e.LastSyncedDeviceId));
        p.AddWithValue("$sh", Rows.Nullable(e.ShadowJson));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Records the server's answer to a change that met no conflict: the versions, the new shadow, and
    /// the sync_version shown in the data, without rewriting the rest of the entity. The shadow is
    /// <paramref name="shadowJson"/>, or for a create the pushed entity (laid over an older shadow if any).
    /// </summary>
    public void Acknowledge(string entityType, string entityId, long version, string? shadowJson, string? createdJson, long now, string deviceId)
    {
        var command = db.Command("""
            UPDATE entities SET sync_version = max(sync_version, $v), server_version = max(server_version, $v),
                data = json_set(data, '$.sync_version', max(sync_version, $v)),
                shadow = json_set(COALESCE($sh, CASE WHEN shadow IS NULL THEN $cr ELSE json_patch(shadow, $cr) END), '$.sync_version', $v),
                last_synced_at = $now, last_synced_device_id = $dev
            WHERE entity_type = $t AND entity_id = $i;
            """, tx);
        var p = command.Parameters;
        p.AddWithValue("$t", entityType);
        p.AddWithValue("$i", entityId);
        p.AddWithValue("$v", version);
        p.AddWithValue("$sh", Rows.Nullable(shadowJson));
        p.AddWithValue("$cr", Rows.Nullable(createdJson));
        p.AddWithValue("$now", now);
        p.AddWithValue("$dev", deviceId);
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

    /// <summary>The oldest entries in (<paramref name="afterSeq"/>, <paramref name="upTo"/>], at most <paramref name="limit"/>: a batch in the order the writes were made.</summary>
    public List<OutboxEntry> PeekOutbox(long afterSeq, long upTo, int limit)
    {
        var command = db.Command($"SELECT {Rows.OutboxColumns} FROM outbox WHERE seq > $after AND seq <= $upto ORDER BY seq LIMIT $n;", tx);
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$upto", upTo);
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
        var command = db.Command($"INSERT INTO outbox ({Rows.OutboxColumns}) VALUES ($s, $c, $t, $i, $o, $d, $ts, $sv, $bv, $sent);", tx);
        BindOutbox(command, entry);
        command.ExecuteNonQuery();
        db.AdjustPending(1);
    }

    public void UpdateOutbox(OutboxEntry entry)
    {
        var command = db.Command("""
            UPDATE outbox SET operation = $o, data = $d, client_timestamp = $ts, sync_version = $sv,
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

    /// <summary>Marks every entry up to <paramref name="seq"/> as sent (a batch is always the oldest entries).</summary>
    public void MarkSentThrough(long seq)
    {
        var command = db.Command("UPDATE outbox SET sent = 1 WHERE seq <= $s AND sent = 0;", tx);
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
        p.AddWithValue("$d", Rows.Nullable(e.DataJson));
        p.AddWithValue("$ts", e.ClientTimestamp);
        p.AddWithValue("$sv", e.SyncVersion);
        p.AddWithValue("$bv", e.BaseVersion);
        p.AddWithValue("$sent", e.Sent ? 1 : 0);
    }
}
