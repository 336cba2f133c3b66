using System.Data.Common;
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

    /// <summary>
    /// Copies a user's account (its <c>users</c> row and signed-in <c>devices</c>) into another database of the same
    /// backend, without any of their data: a server that lost the data but still knows the account and its sessions.
    /// </summary>
    public static async Task CopyAccountAsync(this TestDatabase from, TestDatabase to, string userId)
    {
        foreach (var table in new[] { "users", "devices" })
        {
            await using var source = await OpenAsync(from);
            await using var target = await OpenAsync(to);
            await using var select = source.CreateCommand();
            select.CommandText = $"SELECT * FROM {table} WHERE user_id = @u";
            AddParameter(select, "u", userId);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                await using var insert = target.CreateCommand();
                var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
                insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(n => "@" + n))})";
                for (var i = 0; i < names.Length; i++)
                {
                    AddParameter(insert, names[i], reader.GetValue(i));
                }

                await insert.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task<DbConnection> OpenAsync(TestDatabase db)
    {
        DbConnection connection = db.Backend == Backend.Postgres
            ? new NpgsqlConnection(db.Storage.ConnectionString)
            : new SqliteConnection(db.Storage.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
