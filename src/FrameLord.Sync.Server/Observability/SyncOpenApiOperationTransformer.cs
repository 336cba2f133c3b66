using System.Globalization;
using System.Text.Json.Nodes;
using FrameLord.Sync.Protocol;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// Completes each operation: the request and response bodies of <see cref="ApiRouteCatalog"/>, bearer
/// security and 401 on every route that needs a token (read from the endpoint's own authorization
/// metadata, so a new route is covered without an entry), and every error the route can answer as the
/// shared <c>ErrorEnvelope</c> with its codes listed in the description and in <c>x-error-codes</c>.
/// </summary>
internal sealed class SyncOpenApiOperationTransformer : IOpenApiOperationTransformer
{
    public const string BearerScheme = "Bearer";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = (description.RelativePath ?? "").TrimEnd('/');
        var document = context.Document!;
        ApiRouteCatalog.Routes.TryGetValue($"{description.HttpMethod} {path}", out var info);
        var underApi = path.StartsWith("api/v1/", StringComparison.OrdinalIgnoreCase);
        var needsToken = !description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();
        operation.Responses ??= [];

        var errors = new List<ApiError>();
        if (needsToken)
        {
            errors.Add(new(401, ErrorCodes.Unauthorized, "Missing, expired or badly signed access token (no detail is given)."));
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        }

        if (info is not null)
        {
            operation.Summary ??= info.Summary;
            await DescribeBodiesAsync(operation, context, info, cancellationToken);
            foreach (var (name, text) in info.Query)
            {
                operation.Parameters ??= [];
                if (!operation.Parameters.Any(p => p.Name == name))
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = name,
                        In = ParameterLocation.Query,
                        Description = text,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }
            }

            if (info.RequestType is not null)
            {
                errors.Add(new(400, ErrorCodes.ValidationFailed, "Malformed JSON, a missing or ill-typed field, nesting deeper than Limits:MaxJsonDepth."));
                errors.Add(new(413, ErrorCodes.PayloadTooLarge, "The body is over its limit (Limits:MaxRequestBodyBytes; 16 KiB for signup and login)."));
                errors.Add(new(415, ErrorCodes.UnsupportedMediaType, "A body that is not JSON, or a Content-Encoding other than gzip."));
            }

            errors.AddRange(info.Errors);
        }

        if (underApi)
        {
            errors.Add(new(429, ErrorCodes.RateLimited, "Over Limits:RequestsPerMinute (per user; per address before login); see Retry-After."));
            errors.Add(new(503, ErrorCodes.Unavailable, "The store failed or timed out; nothing was applied; retry after Retry-After."));
        }

        if (errors.Count > 0)
        {
            var envelope = await SchemaReferenceAsync(typeof(ErrorEnvelope), context, cancellationToken);
            foreach (var group in errors.GroupBy(e => e.Status).OrderBy(g => g.Key))
            {
                AddErrorResponse(operation, group.Key, group.DistinctBy(e => e.Code).ToList(), envelope);
            }
        }
    }

    private static async Task DescribeBodiesAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, ApiRouteInfo info, CancellationToken cancellationToken)
    {
        if (info.RequestType is { } request && operation.RequestBody is null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "JSON, snake_case; may be sent with Content-Encoding: gzip.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await SchemaReferenceAsync(request, context, cancellationToken) },
                },
            };
        }

        var status = info.SuccessStatus.ToString(CultureInfo.InvariantCulture);
        if (info.SuccessStatus != StatusCodes.Status200OK
            && operation.Responses!.TryGetValue("200", out var placeholder) && placeholder.Content is not { Count: > 0 })
        {
            // ApiExplorer's default for a handler returning IResult: this route answers with another status.
            operation.Responses.Remove("200");
        }

        if (operation.Responses!.TryGetValue(status, out var declared) && declared.Content is { Count: > 0 })
        {
            // A typed result declared the body; the response still reads as the route's summary, not "OK".
            if (declared is OpenApiResponse typed)
            {
                typed.Description = info.Summary;
            }

            return;
        }

        var response = new OpenApiResponse { Description = info.Summary };
        if (info.ResponseType is { } type)
        {
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                [info.MediaType] = new() { Schema = await SchemaReferenceAsync(type, context, cancellationToken) },
            };
        }
        else if (info.MediaType != "application/json")
        {
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                [info.MediaType] = new()
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = info.MediaType == "text/event-stream" ? null : "binary" },
                },
            };
        }

        operation.Responses[status] = response;
    }

    private static void AddErrorResponse(OpenApiOperation operation, int status, IReadOnlyList<ApiError> errors, IOpenApiSchema envelope)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        var text = string.Join("; ", errors.Select(e => $"{e.Code}: {e.When}"));
        var codes = new JsonArray(errors.Select(e => (JsonNode)JsonValue.Create(e.Code)!).ToArray());
        var response = new OpenApiResponse
        {
            Description = text,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = envelope } },
            Extensions = new Dictionary<string, IOpenApiExtension> { ["x-error-codes"] = new JsonNodeExtension(codes) },
        };
        if (status is 429 or 503)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        }

        operation.Responses![key] = response;
    }

    /// <summary>The type's schema registered once under its type name in the components, and a reference to it.</summary>
    internal static async Task<IOpenApiSchema> SchemaReferenceAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(type.Name) != true)
        {
            var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
            document.AddComponent(type.Name, schema);
        }

        return new OpenApiSchemaReference(type.Name, document);
    }
}
