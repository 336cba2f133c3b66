using Microsoft.Data.Sqlite;
using Npgsql;

namespace FrameLord.Sync.TestKit;

/// <summary>Row counts per table for one user, read from the database's own catalog so a new table is never missed.</summary>
public static class TestDatabaseRows
{
    /// <summary>Every table of the schema that has a <c>user_id</c> column, by name.</summary>
    public static async Task<IReadOnlyList<string>> UserTablesAsync(this TestDatabase db)
    {
        var tables = new List<string>();
        if (db.Backend == Backend.Postgres)
        {
            await using var connection = new NpgsqlConnection(db.Storage.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'user_id' ORDER BY 1",
                connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        else
        {
            await using var connection = new SqliteConnection(db.Storage.ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
                WHERE m.type = 'table' AND p.name = 'user_id' ORDER BY 1
                """;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        return tables;
    }

    /// <summary>The user's row count in every table with a <c>user_id</c> column.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> RowsPerTableAsync(this TestDatabase db, string userId)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await db.UserTablesAsync())
        {
            counts[table] = await db.ScalarAsync($"SELECT count(*) FROM {table} WHERE user_id = @u", userId);
        }

        return counts;
    }
}
