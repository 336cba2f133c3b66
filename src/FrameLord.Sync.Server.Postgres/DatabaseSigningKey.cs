using System.Security.Cryptography;
using Npgsql;

namespace FrameLord.Sync.Server.Storage.Postgres;

/// <summary>
/// The generated signing key of servers that share one PostgreSQL database: kept in the database
/// (table <c>server_secrets</c>), created once by whichever process comes first, so a token one
/// process issued is accepted by every other. An advisory lock serializes the first creation.
/// </summary>
internal static class DatabaseSigningKey
{
    private const string Name = "token_signing_key";

    /// <summary>Any fixed number; it names this lock among the database's advisory locks.</summary>
    private const long LockId = 0x46_4C_53_4B_45_59; // "FLSKEY"

    public static string GetOrCreate(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var setUp = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(@lock);
            CREATE TABLE IF NOT EXISTS server_secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO server_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;
            """, connection, transaction))
        {
            setUp.Parameters.AddWithValue("lock", LockId);
            setUp.Parameters.AddWithValue("name", Name);
            setUp.Parameters.AddWithValue("value", Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
            setUp.ExecuteNonQuery();
        }

        using var read = new NpgsqlCommand("SELECT value FROM server_secrets WHERE name = @name;", connection, transaction);
        read.Parameters.AddWithValue("name", Name);
        var value = (string)read.ExecuteScalar()!;
        transaction.Commit();
        return value;
    }
}
