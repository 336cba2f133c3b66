using FrameLord.Sync.Crdt.Encoding;

namespace FrameLord.Sync.Crdt.Structs;

/// <summary>The payload of an <see cref="Item"/>; one subclass per wire content ref (1 to 9).</summary>
internal abstract class Content
{
    /// <summary>The wire content ref (bits 0-4 of the struct info byte).</summary>
    public abstract int Ref { get; }

    /// <summary>How many clocks the content spans (UTF-16 units for strings, elements for arrays).</summary>
    public abstract long Length { get; }

    /// <summary>Whether the content counts towards its parent's length (all but Deleted and Format).</summary>
    public virtual bool Countable => true;

    /// <summary>Keeps <c>[0, offset)</c> here and returns the rest.</summary>
    public virtual Content Splice(long offset) => throw new InvalidOperationException($"Content ref {Ref} cannot be split.");

    /// <summary>Appends <paramref name="right"/>'s content if this kind merges (String, Any, JSON, Deleted).</summary>
    public virtual bool TryMerge(Content right) => false;

    /// <summary>Whether <see cref="TryMerge"/> accepts any content of the same kind (String, Any, JSON, Deleted).</summary>
    public virtual bool Mergeable => false;

    /// <summary>Writes the V1 payload starting at <paramref name="offset"/> clocks in.</summary>
    public abstract void Write(ByteWriter writer, long offset);

    public virtual void Integrate(Transaction transaction, Item item)
    {
    }

    public virtual void Delete(Transaction transaction)
    {
    }

    /// <summary>Appends the user-visible values (one per clock for list contents).</summary>
    public abstract void AppendValues(List<object?> values);

    /// <summary>The last value (what a map entry holds).</summary>
    public virtual object? LastValue
    {
        get
        {
            var values = new List<object?>();
            AppendValues(values);
            return values.Count == 0 ? null : values[^1];
        }
    }
}
