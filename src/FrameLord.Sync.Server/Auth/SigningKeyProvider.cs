using System.Security.Cryptography;
using System.Text;
using FrameLord.Sync.Server.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Resolves the token signing key: <c>Auth:SigningKey</c> when configured, else a random 512-bit
/// key generated once and kept (owner-only permissions) in <c>Auth:SigningKeyFile</c>, by default
/// beside the SQLite file, so tokens survive restarts.
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

        var path = auth.SigningKeyFile ?? DefaultKeyFile(storage);
        if (File.Exists(path))
        {
            return new SymmetricSecurityKey(Parse(File.ReadAllText(path).Trim()));
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var key = RandomNumberGenerator.GetBytes(64);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

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
