using System.Data.Common;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.Server.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace FrameLord.Sync.Server.Http;

/// <summary>Writes every error in the contract's shape: <c>{"error": {"code", "message", ...}}</c>.</summary>
internal static class ErrorResponses
{
    public static Task WriteAsync(HttpContext context, int status, ErrorBody error)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status429TooManyRequests)
        {
            context.RequestServices?.GetService<SyncMetrics>()?.RateLimited();
        }

        if (error.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return context.Response.WriteAsJsonAsync(new ErrorEnvelope(error), SyncJsonContext.Default.ErrorEnvelope, contentType: null, context.RequestAborted);
    }

    public static IResult Result(ApiException error) =>
        Results.Json(new ErrorEnvelope(error.ToBody()), SyncJsonContext.Default.ErrorEnvelope, statusCode: error.Status);

    /// <summary>
    /// Maps failures that are not the client's fault: a store that is down or timed out is 503
    /// (retry later, nothing was applied); anything else is a 500 that is logged.
    /// </summary>
    public static ApiException Translate(Exception exception) => exception switch
    {
        ApiException api => api,
        BadHttpRequestException { StatusCode: 413 } => new ApiException(413, ErrorCodes.PayloadTooLarge, "The request body is over the size limit."),
        BadHttpRequestException bad => new ApiException(bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, ErrorCodes.ValidationFailed, "The request could not be read."),
        // A valid token whose account is gone (deleted): the caller is no longer anyone (DESIGN 3.1).
        UnknownUserException => new ApiException(401, ErrorCodes.Unauthorized, "A valid access token is required."),
        StoreException { IsTransient: true } or DbException or TimeoutException =>
            new ApiException(503, ErrorCodes.Unavailable, "The store is unavailable; nothing was applied. Retry later.") { RetryAfterSeconds = 2 },
        _ => new ApiException(500, "INTERNAL", "Internal error."),
    };
}

/// <summary>The exception handler: everything thrown becomes an error response in the contract's shape.</summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        var error = ErrorResponses.Translate(exception);
        if (error.Status >= 500)
        {
            LogFailure(logger, exception, httpContext.Request.Path);
        }

        await ErrorResponses.WriteAsync(httpContext, error.Status, error.ToBody());
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string path);
}

/// <summary>JSON options for one request body: the wire context with the configured nesting limit.</summary>
internal sealed class WireJson(int maxDepth)
{
    public SyncJsonContext Context { get; } = new(new JsonSerializerOptions(SyncJsonContext.Default.Options) { MaxDepth = maxDepth });
}
