using System.Security.Cryptography;
using System.Text;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Resolves the token signing key: <c>Auth:SigningKey</c> when configured, else a random 512-bit
/// key generated once and kept, so tokens survive restarts: on PostgreSQL in the database itself (every
/// process sharing it finds the same key), unless <c>Auth:SigningKeyFile</c> names a file; on SQLite in
/// that file (owner-only permissions), by default beside the database file.
/// </summary>
public static class SigningKeyProvider
{
    public const int MinimumKeyBytes = 32;

    public static SymmetricSecurityKey Resolve(AuthOptions auth, StorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            return new SymmetricSecurityKey(Parse(auth.SigningKey));
        }

        if (auth.SigningKeyFile is null && IsPostgres(storage) && !string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            // Several processes share the database; a key file per machine would split them.
            return new SymmetricSecurityKey(Parse(DatabaseSigningKey.GetOrCreate(storage.ConnectionString)));
        }

        var path = auth.SigningKeyFile ?? DefaultKeyFile(storage);
        if (File.Exists(path))
        {
            return new SymmetricSecurityKey(Parse(File.ReadAllText(path).Trim()));
        }

        OwnerOnlyFiles.CreateFolderFor(path);
        var key = RandomNumberGenerator.GetBytes(64);
        var options = OwnerOnlyFiles.NewFile();
        try
        {
            using var writer = new StreamWriter(path, Encoding.ASCII, options);
            writer.Write(Convert.ToBase64String(key));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return new SymmetricSecurityKey(Parse(File.ReadAllText(path).Trim()));
        }

        return new SymmetricSecurityKey(key);
    }

    private static bool IsPostgres(StorageOptions storage) =>
        storage.Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase) || storage.Provider.Equals("postgresql", StringComparison.OrdinalIgnoreCase);

    private static string DefaultKeyFile(StorageOptions storage)
    {
        if (string.Equals(storage.Provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new SqliteConnectionStringBuilder(storage.ConnectionString ?? StorageOptions.DefaultSqliteConnectionString);
            if (builder.DataSource is { Length: > 0 } file && file != ":memory:")
            {
                return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".", "signing.key");
            }
        }

        return Path.Combine("data", "signing.key");
    }

    private static byte[] Parse(string configured)
    {
        var buffer = new byte[configured.Length];
        if (Convert.TryFromBase64String(configured, buffer, out var written) && written >= MinimumKeyBytes)
        {
            return buffer[..written];
        }

        var raw = Encoding.UTF8.GetBytes(configured);
        return raw.Length >= MinimumKeyBytes
            ? raw
            : throw new InvalidOperationException(
                $"Auth:SigningKey must be base64 of at least {MinimumKeyBytes} bytes or a string of at least {MinimumKeyBytes} characters.");
    }
}
