namespace FrameLord.Sync.Crdt;

/// <summary>
/// The one exception type thrown for bytes that are not a well-formed Yjs v1 update or state vector:
/// truncated input, varUints above 2^53-1, length prefixes larger than the remaining input, invalid UTF-8,
/// unknown content or type references, nesting deeper than <see cref="MaxNestingDepth"/>, impossible clocks
/// (a struct reaching past 2^53-1, a client appearing twice, zero-length structs) and references that can never
/// be resolved. A decoding entry point that throws it has changed nothing.
/// </summary>
public sealed class YjsFormatException : Exception
{
    /// <summary>The deepest nesting of <c>any</c> values or JSON text accepted while decoding: 256 levels.</summary>
    public const int MaxNestingDepth = 256;

    /// <summary>Creates the exception with a message.</summary>
    public YjsFormatException()
        : base("Malformed Yjs update.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong with the input.</param>
    public YjsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    /// <param name="message">What was wrong with the input.</param>
    /// <param name="innerException">The underlying error.</param>
    public YjsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Always false: malformed input stays malformed, so retrying the same bytes cannot succeed.
    /// </summary>
    public bool IsTransient => false;
}
