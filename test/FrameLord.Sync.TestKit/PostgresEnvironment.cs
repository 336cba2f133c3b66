using Npgsql;

namespace FrameLord.Sync.TestKit;

/// <summary>
/// PostgreSQL for tests comes from <c>FRAMELORD_TEST_POSTGRES</c> (eng/with-postgres.sh sets it).
/// Without it a PostgreSQL test skips locally, but fails when <c>CI=true</c>: CI must run them.
/// </summary>
public static class PostgresEnvironment
{
    public const string Variable = "FRAMELORD_TEST_POSTGRES";

    public static string RequireConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"CI=true but {Variable} is not set: PostgreSQL tests must run in CI. Run the tests through eng/with-postgres.sh.");
        }

        Assert.Skip($"{Variable} is not set; PostgreSQL tests skip locally (eng/with-postgres.sh starts a throwaway cluster and sets it).");
        return null!;
    }

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var admin = RequireConnectionString();
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database;
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(RequireConnectionString()).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
