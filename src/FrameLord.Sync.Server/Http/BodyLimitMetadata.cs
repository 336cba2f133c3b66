namespace FrameLord.Sync.Server.Http;

/// <summary>
/// Endpoint metadata: the most bytes a route's <see cref="WireBody{T}"/> may hold, below
/// <c>Limits:MaxRequestBodyBytes</c> (which still applies when it is the smaller). Deliberately not
/// ASP.NET Core's <c>IRequestSizeLimitMetadata</c>: that one lowers Kestrel's own cap, and Kestrel then
/// resets a client still sending instead of letting it read its 413 (see <see cref="WireBodyLimit"/>).
/// </summary>
internal sealed record BodyLimitMetadata(long MaxBytes);

/// <summary>Declares <see cref="BodyLimitMetadata"/> on a route or a group.</summary>
internal static class BodyLimitConventions
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimitMetadata(maxBytes));
}
