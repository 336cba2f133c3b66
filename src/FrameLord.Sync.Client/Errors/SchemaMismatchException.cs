using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>
/// 426 SCHEMA_MISMATCH: the server no longer speaks this client's schema version. Not transient:
/// the app must be updated to <see cref="SyncTransportException.RequiredVersion"/>. The outbox is kept.
/// </summary>
public sealed class SchemaMismatchException : SyncTransportException
{
    public SchemaMismatchException() : this("Please update FrameLord to the latest version", (string?)null) { }

    public SchemaMismatchException(string message) : this(message, (string?)null) { }

    public SchemaMismatchException(string message, Exception innerException) : base(426, ErrorCodes.SchemaMismatch, message, innerException) { }

    public SchemaMismatchException(string message, string? requiredVersion)
        : base(426, ErrorCodes.SchemaMismatch, message)
    {
        RequiredVersion = requiredVersion;
    }
}
