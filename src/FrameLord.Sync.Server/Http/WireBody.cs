using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Server.Configuration;

namespace FrameLord.Sync.Server.Http;

/// <summary>
/// A route's JSON request body, bound as a handler parameter: read by <see cref="RequestBody.ReadAsync"/>
/// under the limits of DESIGN 8 (at most <c>Limits:MaxRequestBodyBytes</c>, or the route's
/// <see cref="BodyLimitMetadata"/> when smaller, on the wire and after gzip; <c>Limits:MaxJsonDepth</c>
/// deep; strict types), parsed with the wire contract's source-generated metadata. A body that fails
/// throws the contract's error (400, 413 or 415) before the handler runs, and the exception handler
/// writes it, exactly as when handlers read their bodies themselves.
/// </summary>
/// <remarks>
/// A parameter bound by <c>BindAsync</c> rather than an endpoint filter: minimal APIs bind every
/// parameter before any filter runs, so a filter could only hand the body over through
/// <c>HttpContext.Items</c> or by overwriting a placeholder argument. Bound here, the body is read in
/// one place and the handler's signature says which wire type the route takes.
/// </remarks>
internal sealed class WireBody<T> : IBindableFromHttpContext<WireBody<T>>
    where T : class
{
    private WireBody(T value) => Value = value;

    /// <summary>The parsed body; never null (a <c>null</c> body is refused with 400).</summary>
    public T Value { get; }

    public static async ValueTask<WireBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var services = context.RequestServices;
        var type = services.GetRequiredService<WireJson>().Context.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not a type of the wire contract's JSON context.");
        var limit = services.GetRequiredService<LimitOptions>().MaxRequestBodyBytes;
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodyLimitMetadata>() is { } route)
        {
            limit = Math.Min(limit, route.MaxBytes);
        }

        return new WireBody<T>(await RequestBody.ReadAsync(context, type, limit, context.RequestAborted));
    }
}
