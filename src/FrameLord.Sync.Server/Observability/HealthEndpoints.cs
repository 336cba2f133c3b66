using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// The probes, at the root and open without a token (DESIGN 3.1), never rate limited:
/// <c>GET /healthz</c> (200 when the store answers a query, 503 otherwise: what it always meant),
/// <c>GET /healthz/live</c> (the process answers; touches no store, so a slow database never gets a
/// healthy process restarted) and <c>GET /healthz/ready</c> (the store answers and its schema is at
/// the version this server migrates to; 503 <c>SERVICE_UNAVAILABLE</c> in the error shape otherwise).
/// </summary>
public static partial class HealthEndpoints
{
    public static IEndpointRouteBuilder MapSyncHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/healthz").AllowAnonymous().DisableRateLimiting().WithTags("Health");

        health.MapGet("", async (ISyncStore store, CancellationToken cancellationToken) =>
            await store.IsReachableAsync(cancellationToken)
                ? Results.Json(new HealthReport { Status = "ok", Storage = store.ProviderName }, HealthJsonContext.Default.HealthReport)
                : Results.Json(new HealthReport { Status = "unavailable", Storage = store.ProviderName }, HealthJsonContext.Default.HealthReport,
                    statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("Health")
            .WithSummary("200 when the store answers a query, 503 when it does not.");

        health.MapGet("/live", () => Results.Json(new HealthReport { Status = "live" }, HealthJsonContext.Default.HealthReport))
            .WithName("Liveness")
            .WithSummary("200 whenever the process answers; reads no store.");

        health.MapGet("/ready", async (HttpContext context, ISyncStore store, ILoggerFactory logs) =>
            {
                var (ready, version, reason) = await ProbeAsync(store, logs, context.RequestAborted);
                if (ready)
                {
                    return Results.Json(new HealthReport { Status = "ready", Storage = store.ProviderName, SchemaVersion = version },
                        HealthJsonContext.Default.HealthReport);
                }

                context.Response.Headers.RetryAfter = "2";
                return ErrorResponses.Result(new Engine.ApiException(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, reason)
                {
                    RetryAfterSeconds = 2,
                });
            })
            .WithName("Readiness")
            .WithSummary("200 when the store answers and its schema is migrated; 503 SERVICE_UNAVAILABLE otherwise.");

        return app;
    }

    /// <summary>
    /// Whether the store answers and holds the schema version this server migrates to. A probe never
    /// fails the request: any store failure is "not ready", logged at Warning without the connection string.
    /// </summary>
    private static async Task<(bool Ready, int Version, string Reason)> ProbeAsync(
        ISyncStore store, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        try
        {
            if (!await store.IsReachableAsync(cancellationToken))
            {
                return (false, 0, "The store does not answer.");
            }

            var version = await store.GetSchemaVersionAsync(cancellationToken);
            return version == store.LatestSchemaVersion
                ? (true, version, "")
                : (false, version, $"The store's schema is at version {version}, not {store.LatestSchemaVersion}.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ProbeFailed(logs.CreateLogger(typeof(HealthEndpoints)), exception.GetType().Name);
            return (false, 0, "The store does not answer.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The readiness probe failed: {ExceptionType}")]
    private static partial void ProbeFailed(ILogger logger, string exceptionType);
}
