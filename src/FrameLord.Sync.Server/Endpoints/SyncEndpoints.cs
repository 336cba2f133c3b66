using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary>Push, pull and conflicts (DESIGN 3.2 to 3.4). The group requires a token; the user is its <c>sub</c>.</summary>
internal static class SyncEndpoints
{
    public static RouteGroupBuilder MapSync(this RouteGroupBuilder api)
    {
        var sync = api.MapGroup("/sync");

        sync.MapPost("/push", async (HttpContext context, SyncService service, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.PushRequest, limits.Value.MaxRequestBodyBytes, context.RequestAborted);
            var response = await service.PushAsync(context.User.UserId(), request, context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.PushResponse);
        });

        sync.MapPost("/pull", async (HttpContext context, SyncService service, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.PullRequest, limits.Value.MaxRequestBodyBytes, context.RequestAborted);
            var response = await service.PullAsync(context.User.UserId(), request, context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.PullResponse);
        });

        sync.MapGet("/conflicts", async (HttpContext context, SyncService service) =>
        {
            // Query values are read here, not bound, so a bad one answers in the contract's error shape.
            var query = context.Request.Query;
            var limit = (string?)query["limit"] switch
            {
                null => (int?)null,
                var text when int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
                _ => throw ApiException.Validation("limit must be a positive integer."),
            };
            var response = await service.ListConflictsAsync(
                context.User.UserId(), query["status"], limit, query["cursor"], context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.ConflictList);
        });

        sync.MapPost("/conflicts/{conflictId}/resolve", async (HttpContext context, string conflictId, SyncService service, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.ResolveConflictRequest, limits.Value.MaxRequestBodyBytes, context.RequestAborted);
            var response = await service.ResolveConflictAsync(context.User.UserId(), conflictId, request, context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.ResolveConflictResponse);
        });

        return api;
    }
}
