namespace FrameLord.Sync.Crdt;

/// <summary>Options for a new <see cref="YDoc"/>.</summary>
public sealed class YDocOptions
{
    /// <summary>
    /// The client id (at most 2^53-1). Null (the default) draws a random 32-bit id from <see cref="Random"/>, as
    /// yjs does; two replicas must never share an id.
    /// </summary>
    public ulong? ClientId { get; init; }

    /// <summary>Whether deleted content is garbage collected after each transaction. The default is true.</summary>
    public bool Gc { get; init; } = true;

    /// <summary>
    /// The random source for client ids (the initial one and the new one drawn when a remote update reuses ours).
    /// Null (the default) creates a new unseeded <see cref="System.Random"/>.
    /// </summary>
    public Random? Random { get; init; }
}
