using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;

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
        // Schemas come from the JSON options of the minimal APIs, which AddSyncHttp makes the wire
        // contract's (WireJsonOptions); the probes' body has its own source-generated metadata.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, HealthJsonContext.Default));
        services.AddOpenApi("v1", options =>
        {
            // Any JSON value (an entity, a conflict's values) is described in place as {}, not as a component
            // named after the .NET type that holds it.
            options.CreateSchemaReferenceId = type =>
                type.Type == typeof(JsonElement) || type.Type == typeof(JsonElement?) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
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
