using System.Globalization;
using System.IO.Compression;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Http;
using Microsoft.AspNetCore.ResponseCompression;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>
/// The HTTP surface every request crosses (DESIGN 8): Kestrel's connection limits against slow and
/// abusive clients, the JSON error shape of every failure, compression both ways, and the wire-size
/// check of request bodies.
/// </summary>
public static class HttpHosting
{
    public static WebApplicationBuilder AddSyncHttp(this WebApplicationBuilder builder)
    {
        var limits = builder.Limits();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // The body limit itself is enforced as bytes arrive (WireBodyLimit, RequestBody); Kestrel's cap
            // only bounds what is read and discarded so an over-limit client still receives its 413.
            kestrel.Limits.MaxRequestBodySize = Math.Max(limits.MaxDiscardedBodyBytes, limits.MaxRequestBodyBytes);
            kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyBytesPerSecond > 0
                ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
                : null;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections > 0 ? limits.MaxConcurrentConnections : null;
        });

        var services = builder.Services;
        // Typed results write with these options: the wire contract's names, escaping and limits.
        services.ConfigureHttpJsonOptions(options => WireJsonOptions.Apply(options.SerializerOptions));
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails();
        // DESIGN 1: gzip only. The middleware's defaults also unwrap br and deflate, which the contract refuses (415).
        services.AddRequestDecompression(options =>
        {
            options.DecompressionProviders.Clear();
            options.DecompressionProviders.Add("gzip", new GzipRequestDecompression());
        });
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return builder;
    }

    /// <summary>First in the pipeline: errors as JSON, compression, then the body's wire size before it is decompressed.</summary>
    public static WebApplication UseSyncHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var (code, message) = status switch
            {
                404 => (ErrorCodes.NotFound, "No such route."),
                405 => (ErrorCodes.MethodNotAllowed, "This route does not take that method."),
                415 => (ErrorCodes.UnsupportedMediaType, "Unsupported media type."),
                _ => ("HTTP_" + status.ToString(CultureInfo.InvariantCulture), "The request failed."),
            };
            await ErrorResponses.WriteAsync(context.HttpContext, status, new ErrorBody { Code = code, Message = message });
        });
        app.UseResponseCompression();
        app.UseWireBodyLimit(app.Services.GetRequiredService<LimitOptions>().MaxRequestBodyBytes);
        app.UseRequestDecompression();
        return app;
    }
}
