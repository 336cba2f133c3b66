namespace FrameLord.Sync.Crdt;

/// <summary>The V1 update produced by one transaction (yjs <c>doc.on('update')</c>).</summary>
public sealed class YUpdateEventArgs(byte[] update, object? origin, bool local) : EventArgs
{
    /// <summary>The transaction's structs and deletions as a Yjs v1 update.</summary>
    public byte[] Update { get; } = update;

    /// <summary>The transaction's origin.</summary>
    public object? Origin { get; } = origin;

    /// <summary>True when the transaction came from the local API, false for an applied update.</summary>
    public bool Local { get; } = local;
}
