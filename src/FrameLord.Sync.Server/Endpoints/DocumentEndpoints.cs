using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Live.Sockets;
using Microsoft.AspNetCore.Http.Features;

namespace FrameLord.Sync.Server.Endpoints;

/// <summary><c>POST /notes/{note_id}/sync</c> (DESIGN 3.5): Yjs document sync in the caller's own namespace of note ids.</summary>
internal static class DocumentEndpoints
{
    public static RouteGroupBuilder MapDocuments(this RouteGroupBuilder api)
    {
        api.MapPost("/notes/{noteId}/sync", async (HttpContext context, string noteId, WireBody<DocumentSyncRequest> body, Caller caller,
            DocumentService documents, NoteHubRegistry sockets, CancellationToken cancellationToken) =>
        {
            var id = NoteId(context, noteId);
            // The note's sockets here may hold updates not stored yet (sent on as soon as checked): the read waits
            // for them, so what a socket was shown, REST is shown too.
            await sockets.WhenFannedOutStoredAsync(caller.UserId, id).WaitAsync(cancellationToken);
            return TypedResults.Ok(await documents.SyncAsync(caller.UserId, id, body.Value, cancellationToken));
        });
        return api;
    }

    /// <summary>
    /// The note id as the client percent-encoded it. Routing decodes every escape but <c>%2F</c>, so
    /// <c>a%2Fb</c> (the id <c>a/b</c>) and <c>a%252Fb</c> (the id <c>a%2Fb</c>) would both arrive as
    /// <c>a%2Fb</c>; the segment is decoded once from the raw request target instead.
    /// </summary>
    internal static string NoteId(HttpContext context, string routed)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return routed;
        }

        var path = raw.AsSpan();
        var query = path.IndexOfAny('?', '#');
        if (query >= 0)
        {
            path = path[..query];
        }

        path = path.TrimEnd('/');
        if (!path.EndsWith("/sync", StringComparison.Ordinal))
        {
            return routed;
        }

        path = path[..^"/sync".Length];
        var segment = path[(path.LastIndexOf('/') + 1)..];
        return segment.IsEmpty ? routed : Uri.UnescapeDataString(segment.ToString());
    }
}
