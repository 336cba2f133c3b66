using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Local;

/// <summary>The writer's records of the server's answers: refused changes, conflicts, and the sweep after a full resync.</summary>
internal sealed partial class LocalWriter
{
    public void InsertRejected(OutboxEntry entry, string code, string message, long at)
    {
        var command = Command("""
            INSERT INTO rejected_changes (change_id, entity_type, entity_id, operation, data, code, message, rejected_at)
            VALUES ($c, $t, $i, $o, $d, $code, $m, $at) ON CONFLICT (change_id) DO NOTHING;
            """);
        var p = command.Parameters;
        p.AddWithValue("$c", entry.ChangeId);
        p.AddWithValue("$t", entry.EntityType);
        p.AddWithValue("$i", entry.EntityId);
        p.AddWithValue("$o", entry.Operation);
        p.AddWithValue("$d", Rows.Nullable(entry.DataJson));
        p.AddWithValue("$code", code);
        p.AddWithValue("$m", message);
        p.AddWithValue("$at", at);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Inserts the conflict, or updates its status when it comes from the server's listing
    /// (<paramref name="fromListing"/>). <paramref name="winnerJson"/> is what the device knows of the winner.
    /// </summary>
    public void UpsertConflict(Conflict conflict, string status, string winnerJson, long createdAt, bool fromListing)
    {
        var command = Command($"""
            INSERT INTO conflicts ({LocalReader.ConflictColumns}) VALUES ($id, $c, $t, $i, $f, $r, $n, $s, $w, $l, $rm, $at)
            ON CONFLICT (conflict_id) DO UPDATE SET status = CASE WHEN $fromList = 1 THEN $s ELSE conflicts.status END;
            """);
        var p = command.Parameters;
        p.AddWithValue("$id", conflict.ConflictId);
        p.AddWithValue("$c", conflict.ChangeId);
        p.AddWithValue("$t", conflict.EntityType);
        p.AddWithValue("$i", conflict.EntityId);
        p.AddWithValue("$f", JsonSerializer.Serialize(conflict.Fields.ToArray(), ClientJsonContext.Default.StringArray));
        p.AddWithValue("$r", conflict.Resolution);
        p.AddWithValue("$n", conflict.NeedsReview ? 1 : 0);
        p.AddWithValue("$s", status);
        p.AddWithValue("$w", winnerJson);
        p.AddWithValue("$l", conflict.Local.GetRawText());
        p.AddWithValue("$rm", conflict.Remote.GetRawText());
        p.AddWithValue("$at", createdAt);
        p.AddWithValue("$fromList", fromListing ? 1 : 0);
        command.ExecuteNonQuery();
    }

    public void SetConflictStatus(string conflictId, string status)
    {
        var command = Command("UPDATE conflicts SET status = $s WHERE conflict_id = $id;");
        command.Parameters.AddWithValue("$s", status);
        command.Parameters.AddWithValue("$id", conflictId);
        command.ExecuteNonQuery();
    }

    public int CountOpenConflicts()
    {
        var command = Command($"SELECT COUNT(*) FROM conflicts WHERE status = '{ConflictStatuses.Open}';");
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// After a full resync: removes the entities it did not bring back (the server purged them as old
    /// tombstones), unless they have pending changes or never reached the server. Returns those that were
    /// shown (not archived) as (type, id).
    /// </summary>
    public List<(string Type, string Id)> SweepAfterResync(long since)
    {
        const string Gone = """
            WHERE e.server_version > 0 AND e.is_contact_zero = 0
            AND (e.last_synced_at IS NULL OR e.last_synced_at < $since)
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity_type = e.entity_type AND o.entity_id = e.entity_id)
            """;
        var removed = new List<(string, string)>();
        var select = Command("SELECT e.entity_type, e.entity_id, e.is_archived FROM entities AS e " + Gone + ";");
        select.Parameters.AddWithValue("$since", since);
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.GetInt64(2) == 0)
                {
                    removed.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
        }

        var delete = Command("DELETE FROM entities AS e " + Gone + ";");
        delete.Parameters.AddWithValue("$since", since);
        delete.ExecuteNonQuery();
        return removed;
    }
}
