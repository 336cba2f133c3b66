using System.Globalization;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary>Push, pull and conflicts (DESIGN 3.2 to 3.4). The group requires a token; the user is its <c>sub</c>.</summary>
internal static class SyncEndpoints
{
    public static RouteGroupBuilder MapSync(this RouteGroupBuilder api)
    {
        var sync = api.MapGroup("/sync");

        sync.MapPost("/push", async (WireBody<PushRequest> body, Caller caller, SyncService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.PushAsync(caller.UserId, body.Value, cancellationToken)));

        sync.MapPost("/pull", async (WireBody<PullRequest> body, Caller caller, SyncService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.PullAsync(caller.UserId, body.Value, cancellationToken)));

        sync.MapGet("/conflicts", async (HttpContext context, Caller caller, SyncService service, CancellationToken cancellationToken) =>
        {
            // Query values are read here, not bound, so a bad one answers in the contract's error shape.
            var query = context.Request.Query;
            var limit = (string?)query["limit"] switch
            {
                null => (int?)null,
                var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                _ => throw ApiException.Validation("limit must be a positive integer."),
            };
            return TypedResults.Ok(await service.ListConflictsAsync(caller.UserId, query["status"], limit, query["cursor"], cancellationToken));
        });

        sync.MapPost("/conflicts/{conflictId}/resolve",
            async (string conflictId, WireBody<ResolveConflictRequest> body, Caller caller, SyncService service, CancellationToken cancellationToken) =>
                TypedResults.Ok(await service.ResolveConflictAsync(caller.UserId, conflictId, body.Value, cancellationToken)));

        return api;
    }
}
