using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// What the endpoints do not say about themselves for the OpenAPI document: the body each reads (a
/// <see cref="FrameLord.Sync.Server.Http.WireBody{T}"/> parameter binds itself, bounded and in the error shape, and declares no
/// body), the body it answers with where no typed result declares it (streams), and the error codes
/// particular to it. Codes every route shares are added by rule in <see cref="SyncOpenApiOperationTransformer"/>:
/// 401 for routes that need a token, 429 and 503 under <c>/api/v1</c>, 400, 413 and 415 for routes with a body.
/// Metadata an endpoint declares itself (a typed result, <c>.Produces</c>) is kept; this only fills gaps.
/// </summary>
internal static class ApiRouteCatalog
{
    /// <summary>Keyed by method and path template as ApiExplorer writes them (no leading slash).</summary>
    public static readonly IReadOnlyDictionary<string, ApiRouteInfo> Routes = new Dictionary<string, ApiRouteInfo>(StringComparer.OrdinalIgnoreCase)
    {
        ["POST api/v1/auth/signup"] = new(typeof(SignupRequest), StatusCodes.Status201Created, typeof(AuthResponse),
            "Creates the account and its Contact Zero; returns an access token.",
            [new(409, ErrorCodes.EmailTaken, "The email already has an account.")]),
        ["POST api/v1/auth/login"] = new(typeof(LoginRequest), StatusCodes.Status200OK, typeof(AuthResponse),
            "Returns an access token for the email and password.",
            [
                new(401, ErrorCodes.InvalidCredentials, "Unknown email or wrong password."),
                new(429, ErrorCodes.RateLimited, "Too many failed logins for this email or signups and logins from this address."),
                new(503, ErrorCodes.Unavailable, "Every password hash slot stayed busy; retry after Retry-After."),
            ]),
        ["POST api/v1/auth/refresh"] = new(typeof(RefreshRequest), StatusCodes.Status200OK, typeof(AuthResponse),
            "Rotates the refresh token: a new access token and a new refresh token; the old one is spent.",
            [new(401, ErrorCodes.Unauthorized, "Unknown, expired or spent refresh token; a spent one also revokes every token of its device.")]),
        ["POST api/v1/auth/logout"] = new(null, StatusCodes.Status204NoContent, null, "Revokes the caller's device session.", []),
        ["GET api/v1/auth/devices"] = new(null, StatusCodes.Status200OK, typeof(DeviceList), "The user's signed-in devices.", []),
        ["DELETE api/v1/auth/devices/{deviceId}"] = new(null, StatusCodes.Status204NoContent, null,
            "Revokes a device: its refresh tokens, and its open streams and sockets close.",
            [new(404, ErrorCodes.NotFound, "No such device is signed in.")]),
        ["POST api/v1/auth/password"] = new(typeof(ChangePasswordRequest), StatusCodes.Status204NoContent, null,
            "Changes the password and revokes every other device.",
            [new(403, ErrorCodes.InvalidCredentials, "The current password is wrong.")]),
        ["GET api/v1/account/export"] = new(null, StatusCodes.Status200OK, null,
            "Streams everything the server holds for the user as one archive (JSON lines and the notes' Yjs updates).", [])
        {
            MediaType = "application/gzip",
        },
        ["DELETE api/v1/account"] = new(typeof(DeleteAccountRequest), StatusCodes.Status204NoContent, null,
            "Deletes the user and every row of theirs once the password is confirmed; their tokens are 401 afterwards.",
            [new(403, ErrorCodes.InvalidCredentials, "The password is wrong.")]),
        ["POST api/v1/sync/push"] = new(typeof(PushRequest), StatusCodes.Status200OK, typeof(PushResponse),
            "Applies a batch of changes in one transaction; per-change failures come inside the 200.",
            [new(426, ErrorCodes.SchemaMismatch, "schema_version is not supported; the body carries required_version.")]),
        ["POST api/v1/sync/pull"] = new(typeof(PullRequest), StatusCodes.Status200OK, typeof(PullResponse),
            "The changes after the cursor, in commit order, each entity once in its latest state.",
            [
                new(410, ErrorCodes.ResyncRequired, "The cursor is older than the tombstone retention horizon: pull from the beginning."),
                new(426, ErrorCodes.SchemaMismatch, "schema_version is not supported; the body carries required_version."),
            ]),
        ["GET api/v1/sync/conflicts"] = new(null, StatusCodes.Status200OK, typeof(ConflictList),
            "The user's conflicts, oldest first, a page at a time.",
            [new(400, ErrorCodes.ValidationFailed, "A bad status, limit or cursor.")])
        {
            Query = [("status", "open (default) or all"), ("limit", "page size: 100 by default, at most 500"), ("cursor", "the cursor of the previous page")],
        },
        ["POST api/v1/sync/conflicts/{conflictId}/resolve"] = new(typeof(ResolveConflictRequest), StatusCodes.Status200OK, typeof(ResolveConflictResponse),
            "Resolves a conflict with a new write that wins everywhere.",
            [
                new(404, ErrorCodes.NotFound, "No such conflict for this user."),
                new(413, ErrorCodes.PayloadTooLarge, "The resolved entity is over Limits:MaxEntityBytes."),
            ]),
        ["POST api/v1/notes/{noteId}/sync"] = new(typeof(DocumentSyncRequest), StatusCodes.Status200OK, typeof(DocumentSyncResponse),
            "Exchanges Yjs updates for one note: applies the client's, answers what its state vector lacks.",
            [
                new(400, ErrorCodes.InvalidYjsUpdate, "The update does not decode or depends on content the server lacks; nothing was stored."),
                new(413, ErrorCodes.PayloadTooLarge, "The update is over Limits:MaxYjsUpdateBytes, or the document would pass Limits:MaxDocumentBytes."),
            ]),
        ["GET api/v1/sync/events"] = new(null, StatusCodes.Status200OK, null,
            "Server-sent events (text/event-stream): changes {cursor}, doc {note_id, sync_version}, a heartbeat comment every 15 s.", [])
        {
            MediaType = "text/event-stream",
        },
        ["GET api/v1/yjs/{noteId}"] = new(null, StatusCodes.Status101SwitchingProtocols, null,
            "WebSocket, y-websocket protocol, one note per socket. The token comes in the token query value or a bearer header; "
            + "a bad or expired one closes the socket with 4401 after the upgrade.",
            [new(400, ErrorCodes.ValidationFailed, "The request is not a WebSocket upgrade.")])
        {
            Query = [("token", "the access token (browsers cannot set headers on a WebSocket)")],
        },
        ["GET api/v1/hocuspocus"] = new(null, StatusCodes.Status101SwitchingProtocols, null,
            "WebSocket, Hocuspocus protocol, many notes per socket; the token comes in the provider's Auth message.",
            [new(400, ErrorCodes.ValidationFailed, "The request is not a WebSocket upgrade.")]),
    };
}

/// <summary>One route's documentation; see <see cref="ApiRouteCatalog"/>.</summary>
internal sealed record ApiRouteInfo(Type? RequestType, int SuccessStatus, Type? ResponseType, string Summary, IReadOnlyList<ApiError> Errors)
{
    /// <summary>The success body's media type.</summary>
    public string MediaType { get; init; } = "application/json";

    /// <summary>Query values the handler reads itself.</summary>
    public IReadOnlyList<(string Name, string Description)> Query { get; init; } = [];
}

/// <summary>An error a route answers: status, code (<see cref="ErrorCodes"/>) and when.</summary>
internal sealed record ApiError(int Status, string Code, string When);
