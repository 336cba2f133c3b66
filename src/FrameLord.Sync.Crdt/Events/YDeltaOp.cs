namespace FrameLord.Sync.Crdt.Events;

/// <summary>
/// One operation of a delta (Quill style): exactly one of <see cref="Insert"/>, <see cref="Retain"/> or
/// <see cref="Delete"/> is set. For text, inserted text is a <see cref="string"/> and embeds or nested types
/// are single values; for arrays, <see cref="Insert"/> is the list of inserted values.
/// </summary>
public sealed record YDeltaOp
{
    /// <summary>Inserted content, or null.</summary>
    public object? Insert { get; init; }

    /// <summary>Number of unchanged units (UTF-16 code units for text), or null.</summary>
    public int? Retain { get; init; }

    /// <summary>Number of deleted units (UTF-16 code units for text), or null.</summary>
    public int? Delete { get; init; }

    /// <summary>Formatting attributes of an insert or the attributes changed over a retain, or null.</summary>
    public IReadOnlyDictionary<string, object?>? Attributes { get; init; }
}
