namespace FrameLord.Sync.Crdt;

/// <summary>
/// The JavaScript value <c>undefined</c> inside <c>any</c> content (wire tag 127). It is kept distinct from
/// <see langword="null"/> (tag 126) so that values written by yjs re-encode to the same bytes.
/// </summary>
public sealed class YUndefined
{
    private YUndefined()
    {
    }

    /// <summary>The single instance.</summary>
    public static YUndefined Value { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "undefined";
}
