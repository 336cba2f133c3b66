using FrameLord.Sync.Server.Endpoints;

namespace FrameLord.Sync.Server.Hosting;

/// <summary>The HTTP API of DESIGN 3 under <see cref="ApiBase"/>, every route rate limited per user.</summary>
public static class ApiHosting
{
    public const string ApiBase = "/api/v1";

    /// <summary>Maps accounts, push/pull/conflicts, note documents and the event stream; returns the API group.</summary>
    public static RouteGroupBuilder MapSyncApi(this WebApplication app)
    {
        var api = app.MapGroup(ApiHosting.ApiBase).RequireRateLimiting(RateLimitingHosting.UserPolicy);
        api.MapAuth();
        api.MapAccounts();
        api.MapSync();
        api.MapDocuments();
        api.MapEvents();
        return api;
    }
}
