using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary><c>GET /healthz</c>: 200 when the store answers a query, 503 otherwise. Open without a token.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (ISyncStore store, CancellationToken cancellationToken) =>
            await store.IsReachableAsync(cancellationToken)
                ? Results.Text($"{{\"status\":\"ok\",\"storage\":\"{store.ProviderName}\"}}", "application/json")
                : Results.Text($"{{\"status\":\"unavailable\",\"storage\":\"{store.ProviderName}\"}}", "application/json", statusCode: 503))
            .AllowAnonymous()
            .DisableRateLimiting();
        return app;
    }
}
