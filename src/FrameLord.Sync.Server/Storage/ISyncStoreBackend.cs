using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// A database the server can run on, contributed by its own assembly (<c>FrameLord.Sync.Server.Sqlite</c>,
/// <c>FrameLord.Sync.Server.Postgres</c>) so the server assembly depends on no database driver. The host
/// registers the backends it ships; <c>Storage:Provider</c> picks one of them.
/// </summary>
public interface ISyncStoreBackend
{
    /// <summary>The <c>Storage:Provider</c> value that selects this backend, as the documentation spells it.</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="provider"/> (a configured <c>Storage:Provider</c>) selects this backend.</summary>
    bool Accepts(string provider);

    /// <summary>The store over the configured database; throws <see cref="InvalidOperationException"/> on a bad setting.</summary>
    ISyncStore Create(StorageOptions options, TimeProvider time, StoreFaults? faults);

    /// <summary>
    /// The generated token signing key, when this backend keeps it in the database so every process sharing
    /// it accepts the others' tokens; null when the key belongs in a file.
    /// </summary>
    string? GetOrCreateSigningKey(StorageOptions options);

    /// <summary>Where a generated key file goes unless <c>Auth:SigningKeyFile</c> says; null for <c>data/signing.key</c>.</summary>
    string? DefaultSigningKeyFile(StorageOptions options);
}
