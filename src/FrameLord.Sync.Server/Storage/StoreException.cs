namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// The root exception of the storage layer. <see cref="IsTransient"/> says whether retrying the
/// same request may succeed (connection lost, lock timeout, serialization failure).
/// </summary>
public class StoreException : Exception
{
    public StoreException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException) => IsTransient = isTransient;

    public StoreException() : this("Storage failed.", isTransient: true) { }

    public StoreException(string message) : this(message, isTransient: true) { }

    public StoreException(string message, Exception innerException) : this(message, isTransient: true, innerException) { }

    public bool IsTransient { get; }
}

/// <summary>The user a request acts for has no row (a valid token of a deleted account): 401, not a store failure.</summary>
public sealed class UnknownUserException(string userId)
    : StoreException($"No user '{userId}'.", isTransient: false);
