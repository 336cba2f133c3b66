using System.Security.Cryptography;
using System.Text;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;
using Microsoft.IdentityModel.Tokens;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Resolves the token signing key: <c>Auth:SigningKey</c> when configured, else a random 512-bit
/// key generated once and kept, so tokens survive restarts: in the database itself when the backend keeps
/// it there (PostgreSQL: every process sharing it finds the same key), unless <c>Auth:SigningKeyFile</c>
/// names a file; otherwise in that file (owner-only permissions), by default where the backend says
/// (SQLite: beside the database file).
/// </summary>
internal static class SigningKeyProvider
{
    public const int MinimumKeyBytes = 32;

    public static SymmetricSecurityKey Resolve(AuthOptions auth, StorageOptions storage, ISyncStoreBackend backend)
    {
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            return new SymmetricSecurityKey(Parse(auth.SigningKey));
        }

        // Several processes may share the database; a key file per machine would split them.
        if (auth.SigningKeyFile is null && backend.GetOrCreateSigningKey(storage) is { } shared)
        {
            return new SymmetricSecurityKey(Parse(shared));
        }

        var path = auth.SigningKeyFile ?? backend.DefaultSigningKeyFile(storage) ?? Path.Combine("data", "signing.key");
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
