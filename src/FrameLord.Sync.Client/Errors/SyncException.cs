namespace FrameLord.Sync.Client;

/// <summary>
/// The root of every exception the client SDK throws. <see cref="IsTransient"/> says whether the
/// same operation may succeed later without any change (the sync loop retries those with backoff).
/// </summary>
public class SyncException : Exception
{
    public SyncException() { }

    public SyncException(string message) : base(message) { }

    public SyncException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>True when retrying later may succeed (network down, server busy or failing).</summary>
    public virtual bool IsTransient => false;
}
