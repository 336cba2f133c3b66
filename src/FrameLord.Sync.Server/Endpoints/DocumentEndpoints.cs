using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary><c>POST /notes/{note_id}/sync</c> (DESIGN 3.5): Yjs document sync in the caller's own namespace of note ids.</summary>
public static class DocumentEndpoints
{
    public static RouteGroupBuilder MapDocuments(this RouteGroupBuilder api)
    {
        api.MapPost("/notes/{noteId}/sync", async (HttpContext context, string noteId, DocumentService documents, WireJson json, IOptions<LimitOptions> limits) =>
        {
            var request = await RequestBody.ReadAsync(context, json.Context.DocumentSyncRequest, limits.Value.MaxRequestBodyBytes, context.RequestAborted);
            var response = await documents.SyncAsync(context.User.UserId(), noteId, request, context.RequestAborted);
            return Results.Json(response, SyncJsonContext.Default.DocumentSyncResponse);
        });
        return api;
    }
}
