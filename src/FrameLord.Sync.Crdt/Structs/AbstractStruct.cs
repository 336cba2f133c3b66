namespace FrameLord.Sync.Crdt.Structs;

/// <summary>
/// A run of <see cref="Length"/> consecutive clocks of one client: an <see cref="Item"/>, a <see cref="GcStruct"/>
/// or (only inside updates, never in a document) a <see cref="SkipStruct"/>.
/// </summary>
internal abstract class AbstractStruct
{
    internal ulong Client;
    internal long Clock;
    internal long Length;

    public abstract bool IsDeleted { get; }

    /// <summary>Merges <paramref name="right"/> (the next struct of the same client) into this one if allowed.</summary>
    public abstract bool MergeWith(AbstractStruct right);

    /// <summary>Whether <see cref="MergeWith"/> would merge <paramref name="right"/>, without changing anything.</summary>
    public virtual bool CanMergeWith(AbstractStruct right) => false;
}
