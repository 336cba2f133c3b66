namespace FrameLord.Sync.Client;

/// <summary>The phase of a sync that progress is reported for.</summary>
public enum SyncPhase
{
    Pull,
    Push,

    /// <summary>Note bodies: <see cref="SyncProgressEventArgs.Total"/> is the number of notes the step syncs.</summary>
    Documents,
}

/// <summary>
/// Progress of a sync ("Syncing 1,234 changes… 45%"). For a push <see cref="Total"/> is the outbox size
/// when the push began; for a pull it is the changes applied plus the server's <c>remaining</c> after
/// the page (DESIGN 3.3), so a percentage shows from the first page (null before it, or when the server does not say); for documents it is the number of notes the step syncs.
/// </summary>
public sealed class SyncProgressEventArgs(SyncPhase phase, long done, long? total) : EventArgs
{
    public SyncPhase Phase { get; } = phase;

    public long Done { get; } = done;

    public long? Total { get; } = total;

    /// <summary>0 to 100, or null when the total is unknown.</summary>
    public double? Percent => Total switch
    {
        null => null,
        0 => 100,
        var t => Math.Min(100, 100.0 * Done / t.Value),
    };
}
