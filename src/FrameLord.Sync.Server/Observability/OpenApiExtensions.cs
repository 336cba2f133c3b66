using System.Text.Json;
using FrameLord.Sync.Protocol;
using Microsoft.AspNetCore.Http.Json;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// The OpenAPI document at <c>GET /openapi/v1.json</c>, generated from the endpoints and completed by
/// <see cref="SyncOpenApiOperationTransformer"/>; open without a token. In Development, a reference page
/// rendered from that document at <c>GET /openapi</c> (a static page served from this assembly: nothing
/// is fetched from elsewhere).
/// </summary>
public static class OpenApiExtensions
{
    internal const string DocumentRoute = "/openapi/{documentName}.json";
    internal const string ReferencePageRoute = "/openapi";
    private const string ReferencePageResource = "FrameLord.Sync.Server.openapi-reference.html";

    internal static IServiceCollection AddSyncOpenApi(this IServiceCollection services)
    {
        // Schemas come from the wire types' source-generated metadata, named as on the wire (snake_case).
        // Every body the server writes passes its own type info, so this changes no response.
        services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, SyncJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(1, HealthJsonContext.Default);
        });
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer<SyncOpenApiDocumentTransformer>();
            options.AddOperationTransformer<SyncOpenApiOperationTransformer>();
        });
        return services;
    }

    public static WebApplication MapSyncOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentRoute).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        if (app.Environment.IsDevelopment())
        {
            app.MapGet(ReferencePageRoute, () => Results.Stream(
                    typeof(OpenApiExtensions).Assembly.GetManifestResourceStream(ReferencePageResource)!, "text/html; charset=utf-8"))
                .AllowAnonymous()
                .DisableRateLimiting()
                .ExcludeFromDescription();
        }

        return app;
    }
}
