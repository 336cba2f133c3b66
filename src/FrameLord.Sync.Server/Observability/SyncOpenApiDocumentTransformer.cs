using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FrameLord.Sync.Server.Observability;

/// <summary>The document's title and the bearer scheme that operations needing a token refer to.</summary>
internal sealed class SyncOpenApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "FrameLord Sync",
            Version = "v1",
            Description = "The sync server's HTTP API (JSON in snake_case). Every whole-request error is "
                + "{\"error\": {\"code\", \"message\", ...}} (the ErrorEnvelope schema); its code is listed with each response.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SyncOpenApiOperationTransformer.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access_token of signup or login; the user is its sub.",
        };
        return Task.CompletedTask;
    }
}
