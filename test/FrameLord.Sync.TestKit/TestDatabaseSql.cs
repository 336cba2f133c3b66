using Microsoft.Data.Sqlite;
using Npgsql;

namespace FrameLord.Sync.TestKit;

/// <summary>Direct SQL against a test database, for tests that look at or tamper with what is stored.</summary>
public static class TestDatabaseSql
{
    /// <summary>Runs a statement; <c>@u</c> in it is bound to <paramref name="userId"/>.</summary>
    public static async Task ExecuteAsync(this TestDatabase db, string sql, string userId)
    {
        _ = await db.ScalarAsync(sql, userId);
    }

    /// <summary>The first column of the first row as a long (0 when null or no row); <c>@u</c> is bound to <paramref name="userId"/>.</summary>
    public static async Task<long> ScalarAsync(this TestDatabase db, string sql, string userId)
    {
        object? value;
        if (db.Backend == Backend.Postgres)
        {
            await using var connection = new NpgsqlConnection(db.Storage.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("u", userId);
            value = await command.ExecuteScalarAsync();
        }
        else
        {
            await using var connection = new SqliteConnection(db.Storage.ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("@u", userId);
            value = await command.ExecuteScalarAsync();
        }

        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// UTF-8 bytes of the user's conflict records and recorded push outcomes (the JSON columns that grow
    /// with what pushes meet).
    /// </summary>
    public static async Task<long> ConflictAndOutcomeBytesAsync(this TestDatabase db, string userId)
    {
        string Sum(string column, string table) => db.Backend == Backend.Postgres
            ? $"(SELECT coalesce(sum(octet_length({column})), 0) FROM {table} WHERE user_id = @u)"
            : $"(SELECT coalesce(sum(length(CAST({column} AS BLOB))), 0) FROM {table} WHERE user_id = @u)";
        return await db.ScalarAsync($"SELECT {Sum("conflict_json", "conflicts")} + {Sum("outcome_json", "applied_changes")}", userId);
    }
}
